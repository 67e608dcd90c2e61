package org.hyphae.kadsim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.hyphae.transport.Multiaddr;
import org.junit.jupiter.api.Test;

/**
 * The scale simulation in small: 50 real hosts in this JVM (TCP on 127.0.0.1, Noise, yamux,
 * identify, kad), lookups by peer id, then a third leave and as many join, and lookups again.
 */
class KadSimSmokeTest {

    @Test
    void fiftyNodesFindEachOtherBeforeAndAfterChurn() throws Exception {
        Random random = new Random(42);
        try (SimNodes sim = new SimNodes(SimNodes.Settings.defaults())) {
            List<SimNodes.Node> first = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                first.add(sim.start());
            }
            List<Multiaddr> seeds = List.of(first.get(0).address(), first.get(1).address(), first.get(2).address());
            assertEquals(0, sim.bootstrap(first.subList(0, 3), seeds, 3, random));
            assertEquals(0, sim.bootstrap(first.subList(3, first.size()), seeds, 8, random));
            sim.refreshAll(8);
            List<LookupRun.Result> before = LookupRun.run(sim.nodes(), targets(sim.nodes()), 200, 16, random);
            System.out.println("kad-sim smoke, 50 nodes: " + LookupRun.summary(before));
            assertTrue(LookupRun.successRate(before) >= 0.99, LookupRun.summary(before));
            List<Integer> hops = before.stream().filter(LookupRun.Result::found).map(LookupRun.Result::hops).sorted().toList();
            double limit = Math.log(50) / Math.log(2) / 4 + 1;
            assertTrue(LookupRun.percentile(hops, 50) <= limit, "median hops " + LookupRun.percentile(hops, 50) + " > " + limit);

            // Churn: a third leave without a word, as many new nodes join from random survivors.
            List<SimNodes.Node> leaving = new ArrayList<>(sim.nodes());
            Collections.shuffle(leaving, random);
            leaving = leaving.subList(0, 17);
            leaving.forEach(sim::stop);
            List<Multiaddr> survivors = sim.nodes().stream().map(SimNodes.Node::address).toList();
            List<SimNodes.Node> joined = new ArrayList<>();
            for (int i = 0; i < 17; i++) {
                joined.add(sim.start());
            }
            assertEquals(0, sim.bootstrap(joined, survivors, 8, random));
            List<LookupRun.Result> after = LookupRun.run(sim.nodes(), targets(sim.nodes()), 200, 16, random);
            System.out.println("kad-sim smoke, after churn: " + LookupRun.summary(after));
            assertTrue(LookupRun.successRate(after) >= 0.99, LookupRun.summary(after));
        }
    }

    private static List<LookupRun.Target> targets(List<SimNodes.Node> nodes) {
        return nodes.stream().map(n -> new LookupRun.Target(n.peer(), n.address())).toList();
    }
}
