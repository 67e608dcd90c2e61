package org.hyphae.pubsub.gossipsub.internal.service;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** GossipSub parameters through Config Admin (PID {@value GossipSubService#PID}). */
@ObjectClassDefinition(name = "Hyphae GossipSub", description = "GossipSub v1.1 router: mesh degrees, gossip, "
        + "backoff, caches, signing policy, limits and peer scoring (libp2p/specs pubsub/gossipsub).")
public @interface GossipSubConfig {

    @AttributeDefinition(name = "D", description = "Desired mesh degree.", min = "0")
    int d() default 6;

    @AttributeDefinition(name = "D_lo", description = "Fewer mesh peers than this: graft more.", min = "0")
    int d_lo() default 5;

    @AttributeDefinition(name = "D_hi", description = "More mesh peers than this: prune.", min = "0")
    int d_hi() default 12;

    @AttributeDefinition(name = "D_lazy", description = "Minimum number of peers gossip (IHAVE) goes to.", min = "0")
    int d_lazy() default 6;

    @AttributeDefinition(name = "D_score", description = "Mesh peers kept by score when pruning.", min = "0")
    int d_score() default 4;

    @AttributeDefinition(name = "D_out", description = "Outbound-connection peers kept in the mesh (< D_lo, <= D/2).", min = "0")
    int d_out() default 2;

    @AttributeDefinition(name = "Heartbeat (ms)", min = "10")
    long heartbeat_interval_ms() default 1000;

    @AttributeDefinition(name = "Message cache windows")
    int history_length() default 5;

    @AttributeDefinition(name = "Gossiped windows")
    int history_gossip() default 3;

    @AttributeDefinition(name = "Fanout TTL (s)")
    long fanout_ttl_s() default 60;

    @AttributeDefinition(name = "Seen cache TTL (s)")
    long seen_ttl_s() default 120;

    @AttributeDefinition(name = "Prune backoff (s)")
    long prune_backoff_s() default 60;

    @AttributeDefinition(name = "Unsubscribe backoff (s)")
    long unsubscribe_backoff_s() default 10;

    @AttributeDefinition(name = "Graft flood threshold (s)", description = "A GRAFT this soon after a PRUNE is penalised twice.")
    long graft_flood_threshold_s() default 10;

    @AttributeDefinition(name = "Gossip factor", description = "Share of eligible peers that get gossip (at least D_lazy).")
    double gossip_factor() default 0.25;

    @AttributeDefinition(name = "Gossip retransmissions", description = "Times one peer may get a message through IWANT.")
    int gossip_retransmission() default 3;

    @AttributeDefinition(name = "IHAVE messages per heartbeat", description = "Accepted per peer; more are ignored.")
    int max_ihave_messages() default 10;

    @AttributeDefinition(name = "IHAVE ids per heartbeat", description = "Message ids asked for per peer and heartbeat.")
    int max_ihave_length() default 5000;

    @AttributeDefinition(name = "IWANT follow-up (ms)", description = "Time a peer has to deliver what it advertised.")
    long iwant_followup_ms() default 3000;

    @AttributeDefinition(name = "Peer exchange size", description = "Peers offered in a PRUNE.")
    int prune_peers() default 16;

    @AttributeDefinition(name = "Peer exchange", description = "Offer peers when pruning.")
    boolean do_px() default true;

    @AttributeDefinition(name = "Flood publish", description = "Send own messages to every topic peer above the publish threshold.")
    boolean flood_publish() default true;

    @AttributeDefinition(name = "Opportunistic graft (heartbeats)")
    int opportunistic_graft_ticks() default 60;

    @AttributeDefinition(name = "Opportunistic graft peers")
    int opportunistic_graft_peers() default 2;

    @AttributeDefinition(name = "Signing policy", description = "StrictSign signs and requires signatures; StrictNoSign forbids author fields.",
            options = {
                @org.osgi.service.metatype.annotations.Option(label = "StrictSign", value = "StrictSign"),
                @org.osgi.service.metatype.annotations.Option(label = "StrictNoSign", value = "StrictNoSign")})
    String signature_policy() default "StrictSign";

    @AttributeDefinition(name = "Max message size (bytes)")
    int max_message_size() default 1 << 20;

    @AttributeDefinition(name = "Max RPC size (bytes)", description = "Largest frame read; a larger one resets the stream.")
    int max_rpc_size() default 4 << 20;

    @AttributeDefinition(name = "Outbound queue per peer (bytes)", description = "Messages beyond it are dropped for that peer.")
    long max_outbound_queue_bytes() default 32L << 20;

    @AttributeDefinition(name = "Validation timeout (ms)")
    long validation_timeout_ms() default 10_000;

    // ---- scoring

    @AttributeDefinition(name = "Gossip threshold")
    double gossip_threshold() default -10;

    @AttributeDefinition(name = "Publish threshold")
    double publish_threshold() default -50;

    @AttributeDefinition(name = "Graylist threshold")
    double graylist_threshold() default -80;

    @AttributeDefinition(name = "Accept-PX threshold")
    double accept_px_threshold() default 10;

    @AttributeDefinition(name = "Opportunistic graft threshold")
    double opportunistic_graft_threshold() default 5;

    @AttributeDefinition(name = "Score retention (s)", description = "How long a disconnected peer's non-positive score is kept.")
    long retain_score_s() default 600;

    @AttributeDefinition(name = "Topic score cap", description = "0: none.")
    double topic_score_cap() default 50;

    @AttributeDefinition(name = "P5 weight (application score)")
    double app_specific_weight() default 1;

    @AttributeDefinition(name = "P6 weight (IP colocation)")
    double ip_colocation_factor_weight() default -10;

    @AttributeDefinition(name = "P6 threshold (peers per IP)")
    double ip_colocation_factor_threshold() default 1;

    @AttributeDefinition(name = "P6 ignores loopback")
    boolean ip_colocation_ignore_loopback() default true;

    @AttributeDefinition(name = "P7 weight (behaviour penalty)")
    double behaviour_penalty_weight() default -1;

    @AttributeDefinition(name = "P7 threshold")
    double behaviour_penalty_threshold() default 0;

    @AttributeDefinition(name = "P7 decay")
    double behaviour_penalty_decay() default 0.99;

    @AttributeDefinition(name = "Topic weight", description = "Applies to every subscribed topic; 0 switches topic scoring off.")
    double topic_weight() default 1;

    @AttributeDefinition(name = "P1 weight (time in mesh)")
    double time_in_mesh_weight() default 0.01;

    @AttributeDefinition(name = "P1 cap")
    double time_in_mesh_cap() default 300;

    @AttributeDefinition(name = "P2 weight (first deliveries)")
    double first_message_deliveries_weight() default 1;

    @AttributeDefinition(name = "P2 decay")
    double first_message_deliveries_decay() default 0.9;

    @AttributeDefinition(name = "P2 cap")
    double first_message_deliveries_cap() default 20;

    @AttributeDefinition(name = "P3 weight (mesh delivery deficit)", description = "0 (default) switches P3 and P3b off: "
            + "the expected rate depends on the application's topics.")
    double mesh_message_deliveries_weight() default 0;

    @AttributeDefinition(name = "P3 threshold (deliveries expected per decay window)")
    double mesh_message_deliveries_threshold() default 1;

    @AttributeDefinition(name = "P3 cap")
    double mesh_message_deliveries_cap() default 10;

    @AttributeDefinition(name = "P3 decay")
    double mesh_message_deliveries_decay() default 0.97;

    @AttributeDefinition(name = "P3 activation (s)")
    long mesh_message_deliveries_activation_s() default 5;

    @AttributeDefinition(name = "P3 near-first window (ms)")
    long mesh_message_deliveries_window_ms() default 10;

    @AttributeDefinition(name = "P3b weight (mesh failure penalty)")
    double mesh_failure_penalty_weight() default 0;

    @AttributeDefinition(name = "P3b decay")
    double mesh_failure_penalty_decay() default 0.5;

    @AttributeDefinition(name = "P4 weight (invalid messages)")
    double invalid_message_deliveries_weight() default -10;

    @AttributeDefinition(name = "P4 decay")
    double invalid_message_deliveries_decay() default 0.99;
}
