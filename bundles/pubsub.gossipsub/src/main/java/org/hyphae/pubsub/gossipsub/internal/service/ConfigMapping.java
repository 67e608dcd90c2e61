package org.hyphae.pubsub.gossipsub.internal.service;

import java.time.Duration;

import org.hyphae.pubsub.gossipsub.internal.RouterParams;
import org.hyphae.pubsub.gossipsub.internal.ScoreParams;

/** Turns a {@link GossipSubConfig} into router and scoring parameters. */
final class ConfigMapping {

    private ConfigMapping() {
    }

    /** The router parameters this configuration gives. */
    static RouterParams routerParams(GossipSubConfig c) {
        return new RouterParams(c.d(), c.d_lo(), c.d_hi(), c.d_lazy(), c.d_score(), c.d_out(),
                Duration.ofMillis(c.heartbeat_interval_ms()), c.history_length(), c.history_gossip(),
                Duration.ofSeconds(c.fanout_ttl_s()), Duration.ofSeconds(c.seen_ttl_s()),
                Duration.ofSeconds(c.prune_backoff_s()), Duration.ofSeconds(c.unsubscribe_backoff_s()),
                Duration.ofSeconds(c.graft_flood_threshold_s()), c.gossip_factor(), c.gossip_retransmission(),
                c.max_ihave_messages(), c.max_ihave_length(), Duration.ofMillis(c.iwant_followup_ms()), c.prune_peers(),
                c.do_px(), c.flood_publish(), c.opportunistic_graft_ticks(), c.opportunistic_graft_peers(),
                !"StrictNoSign".equalsIgnoreCase(c.signature_policy().trim()), c.max_message_size(), c.max_rpc_size(),
                c.max_outbound_queue_bytes(), Duration.ofMillis(c.validation_timeout_ms()), Duration.ofSeconds(10));
    }

    /** The scoring parameters this configuration gives. */
    static ScoreParams scoreParams(GossipSubConfig c) {
        ScoreParams d = ScoreParams.defaults();
        return new ScoreParams(c.gossip_threshold(), c.publish_threshold(), c.graylist_threshold(),
                c.accept_px_threshold(), c.opportunistic_graft_threshold(), d.decayInterval(), d.decayToZero(),
                Duration.ofSeconds(c.retain_score_s()), c.topic_score_cap(), c.app_specific_weight(),
                c.ip_colocation_factor_weight(), c.ip_colocation_factor_threshold(), c.ip_colocation_ignore_loopback(),
                c.behaviour_penalty_weight(), c.behaviour_penalty_threshold(), c.behaviour_penalty_decay(),
                c.topic_weight(), c.time_in_mesh_weight(), d.timeInMeshQuantum(), c.time_in_mesh_cap(),
                c.first_message_deliveries_weight(), c.first_message_deliveries_decay(),
                c.first_message_deliveries_cap(), c.mesh_message_deliveries_weight(),
                c.mesh_message_deliveries_decay(), c.mesh_message_deliveries_threshold(),
                c.mesh_message_deliveries_cap(), Duration.ofSeconds(c.mesh_message_deliveries_activation_s()),
                Duration.ofMillis(c.mesh_message_deliveries_window_ms()), c.mesh_failure_penalty_weight(),
                c.mesh_failure_penalty_decay(), c.invalid_message_deliveries_weight(),
                c.invalid_message_deliveries_decay());
    }
}
