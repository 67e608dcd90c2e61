package org.hyphae.consensus.poa.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;

import org.apache.felix.service.command.Descriptor;
import org.hyphae.consensus.ChainView;
import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.hyphae.ledger.Ledger;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code hyphae:vote <peer id> add|remove|withdraw} (this signer's votes, kept in Config Admin
 * under {@value CliqueEngine#PID} so they survive a restart) and {@code hyphae:signers} (the
 * signer set at the head, whose turn is next, this node's votes and the open ones in the chain).
 */
@Component(service = PoaCommands.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=vote",
        "osgi.command.function=signers"})
public final class PoaCommands {

    private final ConfigurationAdmin configurationAdmin;
    private final Ledger ledger;
    private final Identity identity;
    private final CliqueEngine engine;

    @Activate
    public PoaCommands(@Reference ConfigurationAdmin configurationAdmin, @Reference Ledger ledger, @Reference Identity identity,
            @Reference(target = "(component.name=org.hyphae.consensus.poa.internal.CliqueEngine)") ConsensusEngine engine) {
        this.configurationAdmin = configurationAdmin;
        this.ledger = ledger;
        this.identity = identity;
        this.engine = (CliqueEngine) engine;
    }

    @Descriptor("cast this signer's vote to add or remove a signer (in every block it seals until the vote passes), or withdraw it")
    public String vote(@Descriptor("peer id") String peer, @Descriptor("add, remove or withdraw") String what) throws IOException {
        PeerId target;
        try {
            target = PeerId.parse(peer);
        } catch (IllegalArgumentException e) {
            return "not a peer id: " + peer + " (" + e.getMessage() + ")";
        }
        if (!List.of("add", "remove", "withdraw").contains(what)) {
            return "usage: hyphae:vote <peer id> add|remove|withdraw (not \"" + what + "\")";
        }
        Configuration configuration = configurationAdmin.getConfiguration(CliqueEngine.PID, "?");
        Dictionary<String, Object> properties = configuration.getProperties();
        if (properties == null) {
            properties = new Hashtable<>();
        }
        List<String> votes = new ArrayList<>();
        for (String v : strings(properties.get("votes"))) {
            // One vote per target: a new one replaces the earlier.
            if (!v.isBlank() && !Seal.Vote.parse(v).target().equals(target)) {
                votes.add(v);
            }
        }
        if (!what.equals("withdraw")) {
            votes.add(what + ":" + target);
        }
        properties.put("votes", votes.toArray(new String[0]));
        configuration.update(properties);
        Optional<String> note = signerNote(target, what);
        return "votes of " + identity.peerId() + ": " + (votes.isEmpty() ? "none" : String.join(", ", votes)) + note.map(n -> "\n" + n).orElse("");
    }

    private Optional<String> signerNote(PeerId target, String what) {
        try {
            Snapshot s = headSnapshot();
            if (!s.isSigner(identity.peerId())) {
                return Optional.of("note: this node is not a signer at the head; its votes count only once it is one");
            }
            if (what.equals("add") && s.isSigner(target)) {
                return Optional.of("note: " + target + " is a signer already; the vote is not cast");
            }
            if (what.equals("remove") && !s.isSigner(target)) {
                return Optional.of("note: " + target + " is not a signer; the vote is not cast");
            }
            return Optional.empty();
        } catch (InvalidBlockException | IllegalStateException e) {
            return Optional.of("note: " + e.getMessage());
        }
    }

    private static List<String> strings(Object value) {
        if (value instanceof String[] a) {
            return List.of(a);
        }
        if (value instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(String.valueOf(value));
    }

    @Descriptor("the poa signer set at the head, whose turn is next, this node's votes and the open votes")
    public String signers() {
        Snapshot s;
        try {
            s = headSnapshot();
        } catch (InvalidBlockException | IllegalStateException e) {
            return e.getMessage();
        }
        long next = ledger.height() + 1;
        StringBuilder out = new StringBuilder("signers at #" + s.height() + " (" + s.signers().size() + "; a signer may seal one in "
                + s.limit() + " blocks)\n");
        for (PeerId p : s.signers()) {
            out.append("  ").append(p).append(p.equals(s.inTurn(next)) ? "  in turn for #" + next : "")
                    .append(p.equals(identity.peerId()) ? "  (this node)" : "").append('\n');
        }
        List<String> mine = engine.currentVotes().stream().map(v -> (v.add() ? "add:" : "remove:") + v.target()).toList();
        out.append("this node's votes: ").append(mine.isEmpty() ? "none" : String.join(", ", mine)).append('\n');
        s.votes().forEach((target, byVoter) -> {
            long add = byVoter.values().stream().filter(b -> b).count();
            out.append("open vote on ").append(target).append(": ").append(add).append(" to add, ").append(byVoter.size() - add)
                    .append(" to remove, ").append(s.signers().size() / 2 + 1).append(" needed\n");
        });
        return out.toString();
    }

    private Snapshot headSnapshot() throws InvalidBlockException {
        BlockHeader head = ledger.head();
        ChainSpec.ScheduleEntry segment = ledger.chainSpec().engineAt(head.height() + 1);
        if (!segment.engine().equals("poa")) {
            throw new IllegalStateException("the engine for height " + (head.height() + 1) + " is " + segment.engine() + ", not poa");
        }
        return engine.snapshot(new ChainView() {
            @Override
            public String chainId() {
                return ledger.chainSpec().chainId();
            }

            @Override
            public ChainSpec.ScheduleEntry segment() {
                return segment;
            }

            @Override
            public Optional<BlockHeader> header(Hash hash) {
                return ledger.block(hash).map(Block::header);
            }

            @Override
            public boolean verifySignature(PeerId signer, byte[] data, byte[] signature) {
                return signer.publicKeyProtobuf().map(k -> identity.verify(k, data, signature)).orElse(false);
            }
        }, head);
    }
}
