package org.hyphae.kadsim;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes to a stream and to a file at once (the simulation's report, kept after the run). */
final class Tee extends OutputStream {

    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, Path file) throws IOException {
        this.first = first;
        this.second = Files.newOutputStream(file);
    }

    @Override
    public void write(int b) throws IOException {
        first.write(b);
        second.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        first.write(b, off, len);
        second.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        first.flush();
        second.flush();
    }
}
