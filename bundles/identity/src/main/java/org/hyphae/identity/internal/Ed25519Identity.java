package org.hyphae.identity.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The node's {@link Identity}, from the Ed25519 key in {@code <data>/identity.key}. Immediate, so
 * that a bad key file stops the node at start-up rather than at first use.
 */
@Component(immediate = true, configurationPid = Ed25519Identity.PID)
@Designate(ocd = Ed25519Identity.Config.class)
public final class Ed25519Identity implements Identity {

    static final String PID = "org.hyphae.identity";
    /** Framework property with the node's data directory; {@code ./data} if unset. */
    static final String DATA_DIR_PROPERTY = "hyphae.data";
    private static final System.Logger LOG = System.getLogger(Ed25519Identity.class.getName());

    @ObjectClassDefinition(name = "Hyphae identity", description = "The node's Ed25519 key pair.")
    public @interface Config {
        @AttributeDefinition(name = "Key file",
                description = "Path of the key file; empty means identity.key in the node's data directory.")
        String key_file() default "";
    }

    private final Ed25519KeyPair keys;

    @Activate
    public Ed25519Identity(BundleContext context, Config config) {
        Path file = keyFile(context, config);
        try {
            keys = IdentityKeyFile.loadOrCreate(file);
        } catch (IdentityKeyException e) {
            // SCR logs it; the node's start-up report stops the node with this message.
            throw new IllegalStateException(e.getMessage(), e);
        }
        warnIfReadableByOthers(file);
        LOG.log(Level.DEBUG, "identity {0} from {1}", keys.peerId(), file);
    }

    static Path keyFile(BundleContext context, Config config) {
        if (!config.key_file().isBlank()) {
            return Path.of(config.key_file());
        }
        String data = context.getProperty(DATA_DIR_PROPERTY);
        return Path.of(data == null || data.isBlank() ? "data" : data, "identity.key");
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> excess = IdentityKeyFile.excessPermissions(file);
            if (!excess.isEmpty()) {
                LOG.log(Level.WARNING, "identity key file {0} is accessible beyond its owner ({1}); "
                        + "run chmod 600 on it", file.toAbsolutePath(), excess);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read permissions of {0}: {1}", file.toAbsolutePath(), e.getMessage());
        }
    }

    @Override
    public PeerId peerId() {
        return keys.peerId();
    }

    @Override
    public byte[] publicKeyProtobuf() {
        return keys.publicKeyProtobuf();
    }

    @Override
    public byte[] sign(byte[] data) {
        return keys.sign(data);
    }

    @Override
    public boolean verify(byte[] publicKeyProtobuf, byte[] data, byte[] signature) {
        return Ed25519KeyPair.verify(publicKeyProtobuf, data, signature);
    }

    @Override
    public String signatureVerifier() {
        return Ed25519KeyPair.verifier();
    }
}
