package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.consensus.poa.internal.CliqueEngine;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many ledger nodes in one JVM over the in-memory network with real GossipSub, sync and poa. */
class NetworkTest {

    static ChainSpec spec(List<TestIdentity> signers, List<TestIdentity> users, long period) {
        Properties p = new Properties();
        p.setProperty("chain.id", "net-test");
        p.setProperty("genesis.time", String.valueOf(System.currentTimeMillis() - 60_000));
        for (TestIdentity u : users) {
            p.setProperty("balance." + u.peerId(), "1000000");
        }
        p.setProperty("consensus.1.engine", "poa");
        p.setProperty("consensus.1.period", String.valueOf(period));
        p.setProperty("consensus.1.wiggle", String.valueOf(period));
        p.setProperty("consensus.1.signers", signers.stream().map(s -> s.peerId().toString()).collect(Collectors.joining(",")));
        return ChainSpec.parse(p, signers.get(0).peerId());
    }

    static ConsensusEngine poa(String name, CliqueEngine engine) {
        return "poa".equals(name) ? engine : null;
    }

    /** Every node has the same block at each height up to {@code height}, no transaction twice, supply conserved. */
    static void checkInvariants(List<TestNet.Peer> peers, long height, long supply) {
        for (long h = 0; h <= height; h++) {
            Hash expected = peers.get(0).ledger.block(h).orElseThrow().hash();
            for (TestNet.Peer p : peers) {
                assertEquals(expected, p.ledger.block(h).orElseThrow(() -> new AssertionError(p.host.localPeer() + " lacks #")).hash());
            }
        }
        for (TestNet.Peer p : peers) {
            assertEquals(supply, p.ledger.totalBalance(), "balances conserved on " + p.host.localPeer());
            Set<Hash> seen = new HashSet<>();
            Map<PeerId, Long> nextNonce = new HashMap<>();
            for (long h = 1; h <= p.ledger.height(); h++) {
                for (Transaction t : p.ledger.block(h).orElseThrow().transactions()) {
                    assertTrue(seen.add(t.hash()), "transaction " + t.hash() + " applied twice");
                    long n = nextNonce.getOrDefault(t.from(), 0L);
                    assertEquals(n, t.nonce(), "nonces in order");
                    nextNonce.put(t.from(), n + 1);
                }
            }
        }
    }

    @Test
    @Timeout(180)
    void threeSignersTwoFollowersLateJoinerAndASignerDown() throws Exception {
        List<TestIdentity> signers = List.of(TestIdentity.fromSeedByte(21), TestIdentity.fromSeedByte(22), TestIdentity.fromSeedByte(23));
        List<TestIdentity> users = List.of(TestIdentity.fromSeedByte(31), TestIdentity.fromSeedByte(32), TestIdentity.fromSeedByte(33));
        ChainSpec spec = spec(signers, users, 150);
        try (TestNet net = new TestNet()) {
            for (TestIdentity s : signers) {
                net.add(s, spec, n -> poa(n, new CliqueEngine()));
            }
            net.add(TestIdentity.fromSeedByte(41), spec, n -> poa(n, new CliqueEngine()));
            net.add(TestIdentity.fromSeedByte(42), spec, n -> poa(n, new CliqueEngine()));
            net.meshAll();
            net.peers.forEach(p -> p.ledger.start());

            Random rnd = new Random(7);
            Map<TestIdentity, Long> nonces = new HashMap<>();
            int sent = 0;
            long until = System.currentTimeMillis() + 6_000;
            while (System.currentTimeMillis() < until) {
                TestIdentity from = users.get(rnd.nextInt(users.size()));
                TestIdentity to = users.get(rnd.nextInt(users.size()));
                long nonce = nonces.merge(from, 1L, Long::sum) - 1;
                Transaction t = Transaction.transfer(spec.chainId(), from.peerId(), nonce, 1 + rnd.nextInt(3), to.peerId(), rnd.nextInt(100));
                net.peers.get(rnd.nextInt(net.peers.size())).ledger.submit(t.withSignature(from.sign(t.signingBytes())))
                        .toCompletableFuture().get();
                sent++;
                Thread.sleep(20);
            }
            int total = sent;
            TestNet.await("all transactions applied everywhere", 60_000, () -> net.peers.stream().allMatch(p -> {
                long applied = 0;
                for (TestIdentity u : users) {
                    applied += p.ledger.account(u.peerId()).nonce();
                }
                return applied == total;
            }));
            long h = net.peers.stream().mapToLong(p -> p.ledger.height()).min().orElseThrow();
            assertTrue(h >= 10, "the chain grew: " + h);
            TestNet.await("heads agree", 30_000, () -> net.peers.stream().map(p -> p.ledger.head().hash()).distinct().count() == 1
                    || net.peers.stream().mapToLong(p -> p.ledger.height()).min().orElse(0) > h + 3);
            long common = net.peers.stream().mapToLong(p -> p.ledger.height()).min().orElseThrow() - 2;
            checkInvariants(net.peers, common, spec.totalSupply());

            // A late node syncs everything from its peers.
            TestNet.Peer late = net.add(TestIdentity.fromSeedByte(43), spec, n -> poa(n, new CliqueEngine()));
            net.connect(late, net.peers.get(0));
            net.connect(late, net.peers.get(3));
            net.connect(late, net.peers.get(4));
            late.ledger.start();
            long target = net.peers.get(0).ledger.height();
            TestNet.await("late node at " + target, 60_000, () -> late.ledger.height() >= target);
            assertTrue(late.ledger.blocksSynced() > 0 || late.ledger.height() >= target);
            // Its sync peers, as hyphae:chain lists them: the three it connected to, their heads known here.
            late.ledger.syncNow();
            TestNet.await("three sync peers in sync", 30_000, () -> late.ledger.peerHeads().size() == 3
                    && late.ledger.peerHeads().stream().filter(org.hyphae.ledger.PeerHead::inSync).count() >= 2);
            List<org.hyphae.ledger.PeerHead> heads = late.ledger.peerHeads();
            assertTrue(heads.get(0).height() >= heads.get(heads.size() - 1).height(), "highest first: " + heads);
            assertTrue(heads.stream().map(org.hyphae.ledger.PeerHead::peer).collect(java.util.stream.Collectors.toSet())
                    .equals(java.util.Set.of(net.peers.get(0).host.localPeer(), net.peers.get(3).host.localPeer(), net.peers.get(4).host.localPeer())), heads.toString());

            // A signer goes down: the other two keep the chain going.
            TestNet.Peer down = net.peers.get(1);
            net.stop(down);
            long before = net.peers.get(0).ledger.height();
            TestNet.await("chain grows without a signer", 60_000, () -> net.peers.stream().allMatch(p -> p.ledger.height() >= before + 6));
            long now = net.peers.stream().mapToLong(p -> p.ledger.height()).min().orElseThrow() - 2;
            checkInvariants(net.peers, now, spec.totalSupply());
        }
    }
}
