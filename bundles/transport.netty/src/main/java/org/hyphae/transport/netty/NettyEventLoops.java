package org.hyphae.transport.netty;

import java.util.concurrent.ThreadFactory;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The I/O threads of one transport: native epoll where the platform has it (fewer copies, fewer
 * syscalls), NIO otherwise.
 *
 * @param group the event loops
 * @param socketChannel the client channel class that goes with them
 * @param serverChannel the server channel class that goes with them
 * @param kind {@code epoll} or {@code nio}, for logs and status
 */
public record NettyEventLoops(EventLoopGroup group, Class<? extends SocketChannel> socketChannel,
        Class<? extends ServerChannel> serverChannel, String kind) implements AutoCloseable {

    /**
     * Creates the event loops.
     *
     * @param name thread name prefix, e.g. {@code hyphae-tcp}
     * @param threads number of I/O threads; 0 means Netty's default (2 x cores)
     * @param preferNative use epoll when available
     */
    public static NettyEventLoops create(String name, int threads, boolean preferNative) {
        ThreadFactory threadFactory = new DefaultThreadFactory(name, true);
        if (preferNative && epollAvailable()) {
            IoHandlerFactory epoll = EpollIoHandler.newFactory();
            return new NettyEventLoops(new MultiThreadIoEventLoopGroup(threads, threadFactory, epoll),
                    EpollSocketChannel.class, EpollServerSocketChannel.class, "epoll");
        }
        return new NettyEventLoops(new MultiThreadIoEventLoopGroup(threads, threadFactory, NioIoHandler.newFactory()),
                NioSocketChannel.class, NioServerSocketChannel.class, "nio");
    }

    private static boolean epollAvailable() {
        try {
            return Epoll.isAvailable();
        } catch (LinkageError noNativeLibrary) {
            // The native fragment is not installed (or not for this platform): NIO it is.
            return false;
        }
    }

    /** Why epoll is not used, or empty if it is. */
    public static String epollUnavailabilityCause() {
        try {
            Throwable cause = Epoll.unavailabilityCause();
            return cause == null ? "" : String.valueOf(cause.getMessage());
        } catch (LinkageError e) {
            return e.toString();
        }
    }

    /** Shuts the event loops down, waiting briefly for them to finish. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
