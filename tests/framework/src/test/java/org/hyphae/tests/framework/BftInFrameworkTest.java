package org.hyphae.tests.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.consensus.ConsensusEngine;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** The BFT engine in the node's bundle set: registered by name beside poa, and its shell commands answer. */
class BftInFrameworkTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void theBftEngineIsOnTheWhiteboardAndItsCommandsAnswer(@InjectService CommandProcessor processor) throws Exception {
        Collection<ServiceReference<ConsensusEngine>> refs = context.getServiceReferences(ConsensusEngine.class,
                "(" + ConsensusEngine.NAME_PROPERTY + "=bft)");
        assertEquals(1, refs.size(), "one bft engine");
        assertEquals("org.hyphae.consensus.bft", refs.iterator().next().getBundle().getSymbolicName());
        String status = NodeBundlesTest.run(processor, "hyphae:bft");
        assertTrue(status.contains("bft"), status);
        String evidence = NodeBundlesTest.run(processor, "hyphae:evidence");
        assertTrue(evidence.contains("evidence"), evidence);
    }
}
