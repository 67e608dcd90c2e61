package org.hyphae.identity.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The node's key on disk: the libp2p {@code PrivateKey} protobuf, readable by the owner only.
 *
 * <p>A missing file is created (written to a temporary file, fsync'd, then linked into place so an
 * existing file is never replaced). A file that exists but does not hold a valid Ed25519 key is
 * reported and left untouched: overwriting it would silently change the node's identity.
 */
public final class IdentityKeyFile {

    /** Anything larger cannot be an Ed25519 key; don't read a wrong file of gigabytes. */
    private static final int MAX_READ = 64 * 1024;
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private IdentityKeyFile() {}

    /**
     * Loads the key in {@code file}, creating a new one if the file does not exist.
     *
     * @throws IdentityKeyException naming the file, if it exists but is not a valid key, or cannot
     *     be read or created
     */
    public static Ed25519KeyPair loadOrCreate(Path file) throws IdentityKeyException {
        try {
            return load(file);
        } catch (NoSuchFileException missing) {
            return create(file);
        }
    }

    /**
     * Loads the key in {@code file}.
     *
     * @throws NoSuchFileException if there is no such file
     * @throws IdentityKeyException naming the file, if it is not a valid key or cannot be read
     */
    public static Ed25519KeyPair load(Path file) throws IdentityKeyException, NoSuchFileException {
        byte[] encoded;
        try {
            if (Files.isDirectory(file)) {
                throw new IdentityKeyException(file, "is a directory, not a key file");
            }
            long size = Files.size(file);
            if (size > MAX_READ) {
                throw new IdentityKeyException(file, "is " + size + " bytes; an Ed25519 key file has "
                        + Ed25519KeyPair.PRIVATE_KEY_PROTOBUF_LENGTH + " (foreign file?)");
            }
            encoded = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new IdentityKeyException(file, "cannot be read: " + describe(e), e);
        }
        try {
            return Ed25519KeyPair.fromPrivateKeyProtobuf(encoded);
        } catch (InvalidKeyException e) {
            throw new IdentityKeyException(file, e.getMessage()
                    + "; the file was left untouched: restore it from a backup, or move it away to create a new identity",
                    e);
        }
    }

    /**
     * Permissions wider than owner-only on an existing key file, or empty if there are none
     * (or the file system has no POSIX permissions).
     */
    public static Set<PosixFilePermission> excessPermissions(Path file) throws IOException {
        try {
            Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(file));
            permissions.removeAll(OWNER_ONLY);
            return permissions;
        } catch (UnsupportedOperationException notPosix) {
            return Set.of();
        }
    }

    private static Ed25519KeyPair create(Path file) throws IdentityKeyException {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        Path dir = file.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp", ownerOnly(dir));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(pair.privateKeyProtobuf());
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            publish(temp, file);
            syncDirectory(dir);
            return pair;
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // Another process created it between our read and our link: theirs wins, use it.
            try {
                return load(file);
            } catch (NoSuchFileException gone) {
                throw new IdentityKeyException(file, "appeared and vanished while being created", gone);
            }
        } catch (IOException e) {
            throw new IdentityKeyException(file, "cannot be created: " + describe(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // A stray temporary file is harmless; the key itself is in place or reported.
                }
            }
        }
    }

    /** Makes {@code temp} visible as {@code file} atomically, failing if {@code file} exists. */
    private static void publish(Path temp, Path file) throws IOException {
        try {
            Files.createLink(file, temp);
        } catch (UnsupportedOperationException | FileSystemException noLinks) {
            if (noLinks instanceof java.nio.file.FileAlreadyExistsException exists) {
                throw exists;
            }
            // File systems without hard links: a plain move, which fails if the target exists.
            Files.move(temp, file);
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
        }
        return new FileAttribute<?>[0];
    }

    /** Makes the new directory entry durable; not all platforms can open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot fsync a directory; the file itself was fsync'd.
        }
    }

    private static String describe(IOException e) {
        String reason = e.getMessage();
        return e.getClass().getSimpleName() + (reason == null ? "" : " (" + reason + ")");
    }
}
