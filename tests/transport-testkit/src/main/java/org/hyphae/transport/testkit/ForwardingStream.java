package org.hyphae.transport.testkit;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Stream;

/** A {@link Stream} that forwards every call; tests override what they want to watch or break. */
public class ForwardingStream implements Stream {
    private final Stream delegate;

    public ForwardingStream(Stream delegate) {
        this.delegate = delegate;
    }

    @Override
    public String protocol() {
        return delegate.protocol();
    }

    @Override
    public Connection connection() {
        return delegate.connection();
    }

    @Override
    public Direction direction() {
        return delegate.direction();
    }

    @Override
    public CompletionStage<Optional<ByteBuffer>> read() {
        return delegate.read();
    }

    @Override
    public CompletionStage<Void> write(ByteBuffer data) {
        return delegate.write(data);
    }

    @Override
    public CompletionStage<Void> write(java.util.List<ByteBuffer> data) {
        return delegate.write(data);
    }

    @Override
    public CompletionStage<Void> closeWrite() {
        return delegate.closeWrite();
    }

    @Override
    public void reset() {
        delegate.reset();
    }

    @Override
    public CompletionStage<Void> closed() {
        return delegate.closed();
    }
}
