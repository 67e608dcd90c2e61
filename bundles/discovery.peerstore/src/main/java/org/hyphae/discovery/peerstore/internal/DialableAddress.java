package org.hyphae.discovery.peerstore.internal;

import java.util.List;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.MultiaddrProtocol;

/**
 * Tells whether an address could be dialled at all, whatever transports are installed: a network
 * part (IP or DNS name) that is not unspecified, multicast or broadcast, then a TCP or UDP port that
 * is not 0, and no {@code /p2p} naming another peer. Addresses a source made up or copied from a
 * listener bound to {@code 0.0.0.0} fail here instead of wasting dials.
 */
final class DialableAddress {

    /** Longest address kept, in bytes; a TXT record string holds 255. */
    static final int MAX_BYTES = 512;

    private DialableAddress() {
    }

    /**
     * Checks one address of {@code peer}.
     *
     * @return empty if the address is fine, else why it is not
     */
    static Optional<String> problem(PeerId peer, Multiaddr address) {
        if (address.bytes().length > MAX_BYTES) {
            return Optional.of("longer than " + MAX_BYTES + " bytes");
        }
        Optional<PeerId> named = address.peerId();
        if (named.isPresent() && !named.get().equals(peer)) {
            return Optional.of("its /p2p names another peer, " + named.get());
        }
        List<Multiaddr.Component> parts = address.withoutPeerId().components();
        if (parts.size() < 2) {
            return Optional.of("no network and transport part");
        }
        Multiaddr.Component network = parts.get(0);
        byte[] ip = network.value();
        switch (network.protocol()) {
            case IP4 -> {
                if ((ip[0] & 0xff) == 0) {
                    return Optional.of("unspecified IPv4 address");
                }
                if ((ip[0] & 0xf0) == 0xe0) {
                    return Optional.of("multicast IPv4 address");
                }
                if ((ip[0] & 0xff) == 255 && (ip[1] & 0xff) == 255 && (ip[2] & 0xff) == 255 && (ip[3] & 0xff) == 255) {
                    return Optional.of("broadcast IPv4 address");
                }
            }
            case IP6 -> {
                boolean zero = true;
                for (byte b : ip) {
                    zero &= b == 0;
                }
                if (zero) {
                    return Optional.of("unspecified IPv6 address");
                }
                if ((ip[0] & 0xff) == 0xff) {
                    return Optional.of("multicast IPv6 address");
                }
            }
            case DNS, DNS4, DNS6, DNSADDR -> {
                if (network.valueString().isBlank()) {
                    return Optional.of("empty DNS name");
                }
                if (network.protocol() == MultiaddrProtocol.DNSADDR) {
                    return Optional.empty();
                }
            }
            default -> {
                return Optional.of("starts with /" + network.protocol().protocolName() + ", not an IP or DNS name");
            }
        }
        Multiaddr.Component transport = parts.get(1);
        if (transport.protocol() != MultiaddrProtocol.TCP && transport.protocol() != MultiaddrProtocol.UDP) {
            return Optional.of("no /tcp or /udp after the network part");
        }
        if (Integer.parseInt(transport.valueString()) == 0) {
            return Optional.of("port 0");
        }
        return Optional.empty();
    }
}
