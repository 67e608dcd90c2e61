/**
 * Topic-based publish/subscribe and per-topic validation. First draft: the pubsub issue fills
 * these in.
 */
@Export
@Version("0.1.0")
package org.hyphae.pubsub;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
