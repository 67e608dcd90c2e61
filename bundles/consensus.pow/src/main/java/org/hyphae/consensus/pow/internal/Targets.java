package org.hyphae.consensus.pow.internal;

import java.math.BigInteger;

/** 256-bit targets: conversion to and from difficulty (expected hashes per block) and bytes. */
final class Targets {

    static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);
    /** The easiest target: every hash meets it. */
    static final BigInteger MAX = TWO_256.subtract(BigInteger.ONE);
    /**
     * The most work one block may add to the fork-choice weight. The ledger sums weights in a
     * {@code long}; 2^40 hashes a block is far beyond this machine, and 2^23 such blocks still fit.
     */
    static final long MAX_WORK = 1L << 40;

    private Targets() {
    }

    /** The target at which a block takes {@code difficulty} hashes on average. */
    static BigInteger fromDifficulty(long difficulty) {
        if (difficulty < 1) {
            throw new IllegalArgumentException("difficulty " + difficulty + " is below 1");
        }
        return TWO_256.divide(BigInteger.valueOf(difficulty)).subtract(BigInteger.ONE).max(BigInteger.ZERO);
    }

    /** The expected hashes to meet a target: 2^256 / (target + 1), capped at {@link #MAX_WORK}. */
    static long work(BigInteger target) {
        BigInteger w = TWO_256.divide(target.add(BigInteger.ONE));
        return w.compareTo(BigInteger.valueOf(MAX_WORK)) > 0 ? MAX_WORK : Math.max(1, w.longValue());
    }

    static byte[] toBytes(BigInteger target) {
        if (target.signum() < 0 || target.bitLength() > 256) {
            throw new IllegalArgumentException("target out of range: " + target.toString(16));
        }
        byte[] raw = target.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    static String hex(BigInteger target) {
        return String.format("%064x", target);
    }
}
