package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.hyphae.consensus.ChainView;
import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.consensus.EngineContext;
import org.hyphae.consensus.EngineSession;
import org.hyphae.consensus.poa.internal.CliqueEngine;
import org.hyphae.consensus.pow.internal.PowEngine;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.InvalidBlockException;
import org.hyphae.ledger.LedgerStatus;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The consensus schedule: proof of authority up to a height, proof of work from it. A node without
 * the next engine stops at the boundary and says which bundle it needs, and goes on when the
 * engine appears; a node that syncs the whole chain checks each segment with its own engine.
 */
class ScheduleHandoverTest {

    private static final long HANDOVER = 8;

    /** Records which engine was asked about which height and segment, and asks the real engine. */
    private static final class Recorded implements ConsensusEngine {
        final ConsensusEngine real;
        final String name;
        final Map<Long, String> verified = new ConcurrentHashMap<>();

        Recorded(String name, ConsensusEngine real) {
            this.name = name;
            this.real = real;
        }

        @Override
        public void verifyHeader(ChainView chain, BlockHeader parent, BlockHeader header) throws InvalidBlockException {
            verified.put(header.height(), name + "@" + chain.segment().engine() + "#" + chain.segment().fromHeight());
            real.verifyHeader(chain, parent, header);
        }

        @Override
        public long weight(ChainView chain, BlockHeader header) {
            return real.weight(chain, header);
        }

        @Override
        public long finalizedHeight(ChainView chain, BlockHeader head) {
            return real.finalizedHeight(chain, head);
        }

        @Override
        public EngineSession start(EngineContext context) {
            return real.start(context);
        }
    }

    @Test
    @Timeout(180)
    void stopsAtTheHandoverWithoutTheEngineGoesOnWhenItAppearsAndSyncChecksEachSegmentWithItsEngine() throws Exception {
        TestIdentity signer = TestIdentity.fromSeedByte(81);
        TestIdentity user = TestIdentity.fromSeedByte(82);
        Properties p = new Properties();
        p.setProperty("chain.id", "handover-test");
        p.setProperty("genesis.time", String.valueOf(System.currentTimeMillis() - 60_000));
        p.setProperty("balance." + user.peerId(), "1000000");
        p.setProperty("consensus.1.engine", "poa");
        p.setProperty("consensus.1.period", "100");
        p.setProperty("consensus.1.signers", signer.peerId().toString());
        p.setProperty("consensus." + HANDOVER + ".engine", "pow");
        p.setProperty("consensus." + HANDOVER + ".difficulty", "256");
        p.setProperty("consensus." + HANDOVER + ".blockTime", "60000");
        p.setProperty("consensus." + HANDOVER + ".window", "5");
        ChainSpec spec = ChainSpec.parse(p, signer.peerId());

        Map<String, ConsensusEngine> signerEngines = new ConcurrentHashMap<>(Map.of("poa", new CliqueEngine()));
        Map<String, ConsensusEngine> followerEngines = new ConcurrentHashMap<>(Map.of("poa", new CliqueEngine()));
        try (TestNet net = new TestNet()) {
            TestNet.Peer s = net.add(signer, spec, signerEngines::get);
            TestNet.Peer f = net.add(TestIdentity.fromSeedByte(83), spec, followerEngines::get);
            net.meshAll();
            net.peers.forEach(x -> x.ledger.start());

            TestNet.await("the poa segment made", 60_000, () -> s.ledger.height() == HANDOVER - 1 && f.ledger.height() == HANDOVER - 1);
            Thread.sleep(1500);
            assertEquals(HANDOVER - 1, s.ledger.height(), "no block at the handover height without its engine");
            LedgerStatus st = s.ledger.status();
            assertEquals("pow", st.engine());
            assertFalse(st.engineAvailable());
            assertEquals(Optional.of("org.hyphae.consensus.pow"), st.missingBundle());

            // The engine arrives on the signer (mining): the chain goes on under proof of work.
            PowEngine miner = new PowEngine();
            miner.threads(1);
            signerEngines.put("pow", miner);
            s.ledger.refreshEngine();
            TestNet.await("pow blocks past the handover", 60_000, () -> s.ledger.height() >= HANDOVER + 6);
            miner.threads(0);
            assertEquals(Optional.empty(), s.ledger.status().missingBundle());
            assertTrue(s.ledger.block(HANDOVER - 1).orElseThrow().header().seal().length != 41, "the last poa block has a poa seal");
            assertEquals(41, s.ledger.block(HANDOVER).orElseThrow().header().seal().length, "the first pow block has a pow seal");

            // The follower still lacks it: it stays at the boundary, and says so.
            Thread.sleep(1000);
            assertEquals(HANDOVER - 1, f.ledger.height());
            assertEquals(Optional.of("org.hyphae.consensus.pow"), f.ledger.status().missingBundle());
            followerEngines.put("pow", new PowEngine());
            f.ledger.refreshEngine();
            TestNet.await("the follower catches up once it has the engine", 60_000, () -> f.ledger.head().equals(s.ledger.head()));

            // A fresh node syncs everything: poa checks 1..7, pow checks 8 on, each with its segment.
            Recorded poa = new Recorded("poa", new CliqueEngine());
            Recorded pow = new Recorded("pow", new PowEngine());
            TestNet.Peer late = net.add(TestIdentity.fromSeedByte(84), spec, n -> "poa".equals(n) ? poa : "pow".equals(n) ? pow : null);
            net.connect(late, s);
            net.connect(late, f);
            late.ledger.start();
            long top = s.ledger.height();
            TestNet.await("the late node synced", 60_000, () -> late.ledger.height() >= top);
            for (long h = 1; h <= top; h++) {
                String expected = h < HANDOVER ? "poa@poa#1" : "pow@pow#" + HANDOVER;
                String seen = (h < HANDOVER ? poa : pow).verified.get(h);
                assertEquals(expected, seen, "height " + h);
                assertFalse((h < HANDOVER ? pow : poa).verified.containsKey(h), "height " + h + " checked by the other engine");
            }
            assertTrue(late.ledger.blocksSynced() >= top - 1, "synced, not gossiped: " + late.ledger.blocksSynced());
            NetworkTest.checkInvariants(List.of(s, f, late), top, spec.totalSupply());
        }
    }
}
