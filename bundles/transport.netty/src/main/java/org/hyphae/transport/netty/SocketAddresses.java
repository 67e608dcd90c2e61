package org.hyphae.transport.netty;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.MultiaddrProtocol;

/** Between multiaddrs ({@code /ip4/1.2.3.4/tcp/5}, {@code /dns4/host/tcp/5}) and socket addresses. */
public final class SocketAddresses {

    private SocketAddresses() {}

    /**
     * The TCP socket address of the first two components of {@code address}: an ip4, ip6, dns,
     * dns4 or dns6 host and a tcp port; empty if the address does not start that way. DNS names
     * stay unresolved: Netty resolves them when it connects.
     */
    public static Optional<InetSocketAddress> tcp(Multiaddr address) {
        List<Multiaddr.Component> parts = address.components();
        if (parts.size() < 2 || parts.get(1).protocol() != MultiaddrProtocol.TCP) {
            return Optional.empty();
        }
        Multiaddr.Component host = parts.get(0);
        int port = Integer.parseInt(parts.get(1).valueString());
        switch (host.protocol()) {
            case IP4:
            case IP6:
                try {
                    return Optional.of(new InetSocketAddress(InetAddress.getByAddress(host.value()), port));
                } catch (UnknownHostException impossible) {
                    throw new IllegalArgumentException("bad ip address in " + address, impossible);
                }
            case DNS:
            case DNS4:
            case DNS6:
                return Optional.of(InetSocketAddress.createUnresolved(host.valueString(), port));
            default:
                return Optional.empty();
        }
    }

    /** {@code /ip4/<a>/tcp/<port>} or {@code /ip6/<a>/tcp/<port>} for a resolved socket address. */
    public static Multiaddr toMultiaddr(InetSocketAddress socket) {
        InetAddress ip = socket.getAddress();
        String family = ip instanceof Inet6Address ? "ip6" : "ip4";
        String host = ip.getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        return Multiaddr.parse("/" + family + "/" + host + "/tcp/" + socket.getPort());
    }

    /**
     * The addresses a socket bound to {@code bound} can be reached on: itself, or for a wildcard
     * (0.0.0.0 or ::) every up interface address of that family, loopback first, as kubo lists them.
     */
    public static List<InetSocketAddress> reachable(InetSocketAddress bound) {
        if (!bound.getAddress().isAnyLocalAddress()) {
            return List.of(bound);
        }
        boolean v6 = bound.getAddress() instanceof Inet6Address;
        List<InetSocketAddress> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                for (InetAddress ip : Collections.list(nif.getInetAddresses())) {
                    if ((v6 ? ip instanceof Inet6Address : ip instanceof Inet4Address) && !ip.isLinkLocalAddress()) {
                        addresses.add(new InetSocketAddress(ip, bound.getPort()));
                    }
                }
            }
        } catch (SocketException e) {
            return List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort()));
        }
        addresses.sort((a, b) -> Boolean.compare(!a.getAddress().isLoopbackAddress(), !b.getAddress().isLoopbackAddress()));
        return addresses;
    }
}
