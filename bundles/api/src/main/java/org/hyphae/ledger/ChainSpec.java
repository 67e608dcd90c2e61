package org.hyphae.ledger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

import org.hyphae.identity.PeerId;

/**
 * What a chain starts from: its id, the genesis time and balances, and the consensus schedule
 * (which engine rules from which height, with its parameters). Read from a chain file, a Java
 * properties file:
 *
 * <pre>
 * chain.id = hyphae-dev
 * genesis.time = 1767225600000
 * balance.12D3KooW... = 1000000000
 * consensus.0.engine = poa
 * consensus.0.period = 1000
 * consensus.0.signers = 12D3KooW...,12D3KooW...
 * consensus.1000.engine = bft
 * </pre>
 *
 * <p>In {@code consensus.<fromHeight>.<name>} every key but {@code engine} is a parameter of that
 * engine. The word {@code self} in a balance key or a comma list stands for the local node's peer
 * id (for a development chain on which a lone node is its own signer), and a chain id ending in
 * {@code -self} ends in the peer id instead, so that the private development chains of nodes that
 * meet (on a LAN, through mDNS) have different ids and pubsub topics and leave each other alone.
 * Immutable.
 *
 * @param chainId the chain's id, carried in every transaction
 * @param genesisTime the genesis block's time, milliseconds since the epoch
 * @param balances initial balances, ordered by account bytes
 * @param schedule the engines by starting height, ascending, the first from height 1 or lower
 */
public record ChainSpec(String chainId, long genesisTime, Map<PeerId, Long> balances, List<ScheduleEntry> schedule) {

    /** The placeholder for the local node's peer id. */
    public static final String SELF = "self";

    /**
     * One engine's segment of the chain.
     *
     * @param fromHeight the first height the engine rules (heights from 1; genesis has no engine)
     * @param engine the engine's {@code consensus.name}
     * @param parameters the engine's parameters, by name
     */
    public record ScheduleEntry(long fromHeight, String engine, Map<String, String> parameters) {
        /** Checks and copies the fields. */
        public ScheduleEntry {
            Objects.requireNonNull(engine, "engine");
            parameters = Collections.unmodifiableMap(new TreeMap<>(parameters));
            if (fromHeight < 0) {
                throw new IllegalArgumentException("negative schedule height " + fromHeight);
            }
        }

        /**
         * A text parameter.
         *
         * @param name its name
         * @param fallback what to return when it is absent
         * @return the value or the fallback
         */
        public String parameter(String name, String fallback) {
            return parameters.getOrDefault(name, fallback);
        }

        /**
         * A numeric parameter.
         *
         * @param name its name
         * @param fallback what to return when it is absent
         * @return the value or the fallback
         * @throws IllegalArgumentException if present but not a number
         */
        public long longParameter(String name, long fallback) {
            String v = parameters.get(name);
            if (v == null) {
                return fallback;
            }
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("consensus." + fromHeight + "." + name + " is not a number: " + v, e);
            }
        }

        /**
         * A parameter holding a comma-separated list of peer ids.
         *
         * @param name its name
         * @return the peer ids, in the given order; empty if absent
         * @throws IllegalArgumentException if an entry is not a peer id
         */
        public List<PeerId> peersParameter(String name) {
            String v = parameters.get(name);
            List<PeerId> out = new ArrayList<>();
            if (v == null) {
                return out;
            }
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    out.add(PeerId.parse(s.trim()));
                }
            }
            return out;
        }
    }

    /** Checks and copies the fields. */
    public ChainSpec {
        Objects.requireNonNull(chainId, "chainId");
        TreeMap<PeerId, Long> sorted = new TreeMap<>(Comparator.comparing(PeerId::bytes, Arrays::compareUnsigned));
        for (Map.Entry<PeerId, Long> e : balances.entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("negative genesis balance for " + e.getKey());
            }
            sorted.put(e.getKey(), e.getValue());
        }
        balances = Collections.unmodifiableMap(sorted);
        List<ScheduleEntry> s = new ArrayList<>(schedule);
        s.sort(Comparator.comparingLong(ScheduleEntry::fromHeight));
        if (s.isEmpty() || s.get(0).fromHeight() > 1) {
            throw new IllegalArgumentException("chain " + chainId + ": the consensus schedule needs an engine from height 0 or 1");
        }
        for (int i = 1; i < s.size(); i++) {
            if (s.get(i).fromHeight() == s.get(i - 1).fromHeight()) {
                throw new IllegalArgumentException("chain " + chainId + ": two engines from height " + s.get(i).fromHeight());
            }
        }
        schedule = List.copyOf(s);
    }

    /**
     * The engine that rules a height.
     *
     * @param height a height of at least 1
     * @return the last schedule entry starting at or below it
     */
    public ScheduleEntry engineAt(long height) {
        ScheduleEntry found = schedule.get(0);
        for (ScheduleEntry e : schedule) {
            if (e.fromHeight() <= height) {
                found = e;
            }
        }
        return found;
    }

    /**
     * Total of the genesis balances.
     *
     * @return the sum, the chain's money supply (fees move balance, never create it)
     */
    public long totalSupply() {
        long sum = 0;
        for (long v : balances.values()) {
            sum = Math.addExact(sum, v);
        }
        return sum;
    }

    /**
     * The canonical encoding, whose hash the genesis block carries so that two chains with other
     * parameters never share a genesis.
     *
     * @return the bytes
     */
    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter().u8(1).string(chainId).u64(genesisTime).u32(balances.size());
        balances.forEach((k, v) -> w.bytes(k.bytes()).u64(v));
        w.u32(schedule.size());
        for (ScheduleEntry e : schedule) {
            w.u64(e.fromHeight()).string(e.engine()).u32(e.parameters().size());
            e.parameters().forEach((k, v) -> w.string(k).string(v));
        }
        return w.toByteArray();
    }

    /**
     * Reads a chain file's properties.
     *
     * @param p the properties
     * @param self the local node's peer id, for {@value #SELF}
     * @return the chain spec
     * @throws IllegalArgumentException if a key is missing or malformed; the message names it
     */
    public static ChainSpec parse(Properties p, PeerId self) {
        String chainId = p.getProperty("chain.id");
        if (chainId == null || chainId.isBlank()) {
            throw new IllegalArgumentException("chain file: chain.id is missing");
        }
        long genesisTime = Long.parseLong(p.getProperty("genesis.time", "0").trim());
        Map<PeerId, Long> balances = new TreeMap<>(Comparator.comparing(PeerId::bytes, Arrays::compareUnsigned));
        Map<Long, Map<String, String>> segments = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key).trim();
            try {
                if (key.startsWith("balance.")) {
                    String account = key.substring("balance.".length());
                    balances.merge(SELF.equals(account) ? self : PeerId.parse(account), Long.parseLong(value), Long::sum);
                } else if (key.startsWith("consensus.")) {
                    String rest = key.substring("consensus.".length());
                    int dot = rest.indexOf('.');
                    if (dot < 0) {
                        throw new IllegalArgumentException("expected consensus.<height>.<name>");
                    }
                    long height = Long.parseLong(rest.substring(0, dot));
                    segments.computeIfAbsent(height, h -> new TreeMap<>()).put(rest.substring(dot + 1), substituteSelf(value, self));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("chain file: " + key + " = " + value + ": " + e.getMessage(), e);
            }
        }
        List<ScheduleEntry> schedule = new ArrayList<>();
        segments.forEach((height, params) -> {
            String engine = params.remove("engine");
            if (engine == null) {
                throw new IllegalArgumentException("chain file: consensus." + height + ".engine is missing");
            }
            schedule.add(new ScheduleEntry(height, engine, params));
        });
        String id = chainId.trim();
        if (id.endsWith("-" + SELF)) {
            id = id.substring(0, id.length() - SELF.length()) + self;
        }
        return new ChainSpec(id, genesisTime, balances, schedule);
    }

    private static String substituteSelf(String value, PeerId self) {
        if (!value.contains(SELF)) {
            return value;
        }
        List<String> parts = new ArrayList<>();
        for (String s : value.split(",")) {
            parts.add(SELF.equals(s.trim()) ? self.toString() : s.trim());
        }
        return String.join(",", parts);
    }
}
