package org.hyphae.tests.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.identity.Identity;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * In the full node the identity bundle is wired to the JNA bundle (an optional import) and verifies
 * with the system's libsodium, as {@code hyphae:id} reports. Under CI=true libsodium must be used
 * (.ci/run installs Debian's libsodium23); elsewhere the native part is skipped where it is missing.
 */
class SignatureVerifierInFrameworkTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void identityIsWiredToJnaAndUsesLibsodium(@InjectService Identity identity, @InjectService CommandProcessor shell)
            throws Exception {
        Bundle identityBundle = bundle("org.hyphae.identity");
        Bundle jna = bundle("com.sun.jna");
        assertEquals(Bundle.ACTIVE, identityBundle.getState());
        List<BundleWire> jnaWires = identityBundle.adapt(BundleWiring.class).getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)
                .stream().filter(w -> w.getProvider().getBundle().equals(jna)).toList();
        assertEquals(List.of("com.sun.jna"), jnaWires.stream()
                .map(w -> (String) w.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE)).toList(),
                "the identity bundle imports com.sun.jna from the JNA bundle");

        String verifier = identity.signatureVerifier();
        String id = NodeBundlesTest.run(shell, "hyphae:id");
        assertTrue(id.contains("Signatures: " + verifier), id);

        byte[] data = "verified natively".getBytes(StandardCharsets.UTF_8);
        byte[] signature = identity.sign(data);
        assertTrue(identity.verify(identity.publicKeyProtobuf(), data, signature));
        signature[50] ^= 8;
        assertFalse(identity.verify(identity.publicKeyProtobuf(), data, signature));

        if (!verifier.startsWith("libsodium ") && "true".equals(System.getenv("CI"))) {
            fail("CI=true but the node does not verify with libsodium: " + verifier);
        }
        Assumptions.assumeTrue(verifier.startsWith("libsodium "), verifier);
        assertTrue(verifier.contains("through JNA 5.") && verifier.endsWith("BouncyCastle decides what it rejects"),
                verifier);
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError(symbolicName + " is not installed in the node"));
    }
}
