/**
 * Consensus engines as whiteboard services ({@link org.hyphae.consensus.ConsensusEngine}, by
 * {@code consensus.name}): header validation against the parent, fork-choice weight and finality,
 * and a running {@link org.hyphae.consensus.EngineSession} that proposes or seals blocks and
 * exchanges the engine's own messages through an {@link org.hyphae.consensus.EngineContext}.
 */
@Export
@Version("0.3.0")
package org.hyphae.consensus;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
