package org.hyphae.transport;

/** Who opened a connection or stream. */
public enum Direction {
    /** The remote peer opened it. */
    INBOUND,
    /** This node opened it. */
    OUTBOUND
}
