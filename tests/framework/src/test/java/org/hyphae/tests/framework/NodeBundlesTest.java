package org.hyphae.tests.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.node.AreaStatus;
import org.hyphae.node.ImplementationState;
import org.hyphae.node.NodeStatus;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** The node's bundle set, as the distribution runs it: everything resolves, starts and is wired. */
class NodeBundlesTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void everyBundleIsActive() {
        List<String> problems = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (bundle.getState() != expected) {
                problems.add(bundle.getSymbolicName() + " is in state " + bundle.getState());
            }
        }
        assertEquals(List.of(), problems);
        for (String required : List.of("org.hyphae.api", "org.hyphae.identity", "org.hyphae.node",
                "org.hyphae.shell", "org.apache.felix.scr", "org.apache.felix.configadmin",
                "org.apache.felix.fileinstall", "org.apache.felix.gogo.shell", "bcprov")) {
            assertTrue(List.of(context.getBundles()).stream().anyMatch(b -> required.equals(b.getSymbolicName())),
                    required + " is part of the node");
        }
    }

    /**
     * Every Hyphae component is satisfied, except those dormant by design: a component that needs
     * its configuration first (the PostgreSQL connections, the perf server) and the components
     * that only wait for one of those.
     */
    @Test
    void everyHyphaeComponentIsSatisfied(@InjectService ServiceComponentRuntime scr) {
        List<ComponentDescriptionDTO> hyphae = scr.getComponentDescriptionDTOs().stream()
                .filter(d -> d.bundle.symbolicName.startsWith("org.hyphae.") && !d.bundle.symbolicName.endsWith("-tests"))
                .toList();
        java.util.Set<String> awaitingConfiguration = new java.util.HashSet<>();
        for (ComponentDescriptionDTO d : hyphae) {
            boolean waits = "require".equals(d.configurationPolicy) && scr.getComponentConfigurationDTOs(d).isEmpty();
            if (waits && d.serviceInterfaces != null) {
                awaitingConfiguration.addAll(List.of(d.serviceInterfaces));
            }
        }
        List<String> problems = new ArrayList<>();
        for (ComponentDescriptionDTO description : hyphae) {
            for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                if (configuration.state == ComponentConfigurationDTO.ACTIVE
                        || configuration.state == ComponentConfigurationDTO.SATISFIED) {
                    continue;
                }
                boolean dormant = configuration.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE
                        && java.util.Arrays.stream(configuration.unsatisfiedReferences).allMatch(u ->
                                java.util.Arrays.stream(description.references)
                                        .anyMatch(r -> r.name.equals(u.name) && awaitingConfiguration.contains(r.interfaceName)));
                if (!dormant) {
                    problems.add(description.name + " state " + configuration.state + " " + configuration.failure);
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(hyphae.size() >= 10, "found " + hyphae.size() + " Hyphae components");
    }

    @Test
    void identityIsCreatedOwnerOnlyAndSigns(@InjectService Identity identity) throws Exception {
        Path keyFile = Path.of(context.getProperty("hyphae.data"), "identity.key");
        assertTrue(Files.exists(keyFile), keyFile + " exists");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));

        PeerId peerId = identity.peerId();
        assertEquals(peerId, PeerId.fromPublicKeyProtobuf(identity.publicKeyProtobuf()));
        byte[] data = "in the framework".getBytes(StandardCharsets.UTF_8);
        byte[] signature = identity.sign(data);
        assertTrue(identity.verify(identity.publicKeyProtobuf(), data, signature));
        signature[0] ^= 1;
        assertFalse(identity.verify(identity.publicKeyProtobuf(), data, signature));
    }

    @Test
    void statusShowsTheActiveIdentity(@InjectService NodeStatus status) {
        AreaStatus identity = status.areas().stream().filter(a -> a.area().equals("identity")).findFirst()
                .orElseThrow();
        assertEquals("org.hyphae.identity.Identity", identity.contract());
        assertEquals(1, identity.implementations().size(), identity.toString());
        assertEquals(ImplementationState.ACTIVE, identity.implementations().get(0).state(),
                "the shell and the start-up report use it: " + identity);
        AreaStatus ledger = status.areas().stream().filter(a -> a.area().equals("ledger")).findFirst().orElseThrow();
        // The ledger bundle is installed; it waits for org.hyphae.ledger (a chain) before it runs.
        assertTrue(ledger.implementations().stream().anyMatch(i -> i.bundle().startsWith("org.hyphae.ledger")), ledger.toString());
        AreaStatus consensus = status.areas().stream().filter(a -> a.area().equals("consensus")).findFirst().orElseThrow();
        assertTrue(consensus.implementations().stream().anyMatch(i -> i.bundle().startsWith("org.hyphae.consensus.poa")),
                consensus.toString());
    }

    @Test
    void shellCommandsAnswer(@InjectService CommandProcessor processor, @InjectService Identity identity)
            throws Exception {
        String id = run(processor, "hyphae:id");
        assertTrue(id.contains(identity.peerId().toString()), id);
        assertTrue(id.contains(identity.peerId().toCid()), id);

        String status = run(processor, "hyphae:status");
        assertTrue(status.contains("identity") && status.contains("ACTIVE"), status);
        assertTrue(status.contains("org.hyphae.identity"), status);
        assertTrue(status.contains("org.hyphae.ledger") && status.contains("org.hyphae.consensus.poa"), status);
    }

    static String run(CommandProcessor processor, String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(System.in, print, print);
        try {
            Object result = session.execute(command);
            if (result != null) {
                print.println(session.format(result, org.apache.felix.service.command.Converter.INSPECT));
            }
        } catch (Exception e) {
            fail(command + " failed: " + e + "\n" + out.toString(StandardCharsets.UTF_8));
        } finally {
            session.close();
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertNotNull(text);
        return text;
    }
}
