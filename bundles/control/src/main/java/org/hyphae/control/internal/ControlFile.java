package org.hyphae.control.internal;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.ServiceTracker;

import com.google.gson.JsonObject;

/**
 * Where the command line finds this node and how it proves it may command it: {@code
 * <data>/control.json} (owner-only, as {@code identity.key}) holds the control API's URL, a fresh
 * random token and the node's process id. Anyone who can read the data directory may command the
 * node; nobody else can, not even a web page in the operator's browser (it cannot read the file,
 * and a cross-origin request cannot send the {@code Authorization} header without a preflight,
 * which this API does not answer). Written once the HTTP service says its port, removed when the
 * node stops.
 */
@Component(service = ControlFile.class)
public final class ControlFile {

    static final String FILE_NAME = "control.json";
    private static final Logger LOG = System.getLogger(ControlFile.class.getName());
    private static final String RUNTIME = "org.osgi.service.http.runtime.HttpServiceRuntime";

    private final byte[] token;
    private final Path file;
    private final ServiceTracker<Object, Object> tracker;

    @Activate
    public ControlFile(BundleContext context) throws InvalidSyntaxException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        token = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
        String data = context.getProperty("hyphae.data");
        file = (data != null ? Path.of(data) : context.getDataFile("").toPath()).resolve(FILE_NAME);
        tracker = new ServiceTracker<>(context, context.createFilter("(" + Constants.OBJECTCLASS + "=" + RUNTIME + ")"), null) {
            @Override
            public Object addingService(ServiceReference<Object> reference) {
                write(reference.getProperty("osgi.http.endpoint"));
                return reference;
            }
        };
        tracker.open(true);
    }

    @Deactivate
    void deactivate() {
        tracker.close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove " + file + ": " + e.getMessage());
        }
    }

    /** Whether an {@code Authorization} header carries this node's token (compared in constant time). */
    boolean authorizes(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(given, token);
    }

    Path file() {
        return file;
    }

    private void write(Object endpoint) {
        String first = endpoint instanceof String[] a && a.length > 0 ? a[0] : endpoint instanceof String s ? s : null;
        if (first == null) {
            LOG.log(Level.WARNING, "the HTTP service names no endpoint; the command line cannot find this node");
            return;
        }
        JsonObject json = new JsonObject();
        json.addProperty("url", (first.endsWith("/") ? first : first + "/") + "control/");
        json.addProperty("token", new String(token, StandardCharsets.US_ASCII));
        json.addProperty("pid", ProcessHandle.current().pid());
        try {
            Files.createDirectories(file.getParent());
            // Owner-only from the start: the token is never readable by others, not even briefly.
            Path temp = Files.createTempFile(file.getParent(), FILE_NAME, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, json + "\n");
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "cannot write " + file + " (the command line will not find this node): " + e);
        }
    }
}
