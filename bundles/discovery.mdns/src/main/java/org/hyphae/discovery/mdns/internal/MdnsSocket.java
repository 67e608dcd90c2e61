package org.hyphae.discovery.mdns.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The multicast socket: bound to the mDNS port with address reuse (so several nodes and other mDNS
 * responders on one machine share it), joined to the group on each chosen interface, with
 * multicast loopback on so that nodes on the same machine hear each other. Sends go out on every
 * joined interface. A daemon thread receives datagrams until {@link #close()}.
 */
final class MdnsSocket implements AutoCloseable {

    /** RFC 6762 17: a multicast DNS message may be up to 9000 bytes. */
    static final int MAX_MESSAGE = 9000;
    private static final System.Logger LOG = System.getLogger(MdnsSocket.class.getName());

    private final MulticastSocket socket;
    private final InetSocketAddress group;
    private final List<NetworkInterface> joined;
    private final Thread receiver;
    private volatile boolean closed;

    /**
     * Opens the socket.
     *
     * @param names interface names to use; empty for every interface that is up and has an IPv4
     *     address (loopback included, so nodes on one machine find each other)
     * @param onDatagram called on the receiver thread with the bytes (a fresh array) and the sender
     * @throws IOException if the port cannot be bound or no interface could join the group
     */
    MdnsSocket(InetAddress groupAddress, int port, Set<String> names, BiConsumer<byte[], InetSocketAddress> onDatagram)
            throws IOException {
        group = new InetSocketAddress(groupAddress, port);
        socket = new MulticastSocket(null);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(port));
        socket.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        socket.setTimeToLive(255);
        List<NetworkInterface> ok = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (NetworkInterface nif : interfaces(names)) {
            try {
                socket.joinGroup(group, nif);
                ok.add(nif);
            } catch (IOException e) {
                failed.add(nif.getName() + " (" + e.getMessage() + ")");
            }
        }
        if (ok.isEmpty()) {
            socket.close();
            throw new IOException("mDNS: could not join " + groupAddress.getHostAddress() + " on any interface"
                    + (failed.isEmpty() ? " (none is up with an IPv4 address" + (names.isEmpty() ? "" : " among " + names) + ")"
                            : ": " + failed));
        }
        if (!failed.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "mDNS: not on " + failed);
        }
        joined = List.copyOf(ok);
        receiver = new Thread(() -> receive(onDatagram), "hyphae-mdns-receive");
        receiver.setDaemon(true);
        receiver.start();
    }

    List<String> interfaceNames() {
        return joined.stream().map(NetworkInterface::getName).toList();
    }

    /** The IPv4 addresses of the joined interfaces, to announce where a listener is on 0.0.0.0. */
    List<InetAddress> addresses() {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface nif : joined) {
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static List<NetworkInterface> interfaces(Set<String> names) throws SocketException {
        List<NetworkInterface> out = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || (!names.isEmpty() && !names.contains(nif.getName()))) {
                continue;
            }
            boolean ipv4 = Collections.list(nif.getInetAddresses()).stream().anyMatch(a -> a instanceof Inet4Address);
            // Loopback often lacks the MULTICAST flag but Linux delivers group traffic on it anyway.
            if (ipv4 && (nif.supportsMulticast() || nif.isLoopback())) {
                out.add(nif);
            }
        }
        return out;
    }

    /** Sends one message to the group on every joined interface. */
    synchronized void send(byte[] message) {
        for (NetworkInterface nif : joined) {
            try {
                socket.setNetworkInterface(nif);
                socket.send(new DatagramPacket(message, message.length, group));
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.DEBUG, "mDNS: send on " + nif.getName() + " failed: " + e.getMessage());
                }
            }
        }
    }

    private void receive(BiConsumer<byte[], InetSocketAddress> onDatagram) {
        // One byte more than the largest message, so that an oversized datagram shows as such.
        byte[] buffer = new byte[MAX_MESSAGE + 1];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "mDNS: receive failed, stopping: " + e.getMessage());
                }
                return;
            }
            byte[] data = new byte[packet.getLength()];
            System.arraycopy(buffer, 0, data, 0, data.length);
            try {
                onDatagram.accept(data, (InetSocketAddress) packet.getSocketAddress());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "mDNS: handling a datagram from " + packet.getSocketAddress()
                        + " failed: " + e, e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        try {
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
