package org.hyphae.transport.ws.internal;

import java.io.IOException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Makes a WebSocket look like a byte stream to the host: binary (and continuation) frames in
 * become bytes, bytes out become binary frames. libp2p over WebSocket sends no text frames; one is
 * a protocol error that closes the connection.
 */
final class BinaryFrameAdapter extends ChannelDuplexHandler {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            WebSocketFrame frame = (WebSocketFrame) msg;
            ctx.fireChannelRead(frame.content());
        } else if (msg instanceof WebSocketFrame frame) {
            String type = frame.getClass().getSimpleName();
            frame.release();
            ctx.fireExceptionCaught(new IOException("unexpected " + type + " from " + ctx.channel().remoteAddress()
                    + ": libp2p over WebSocket uses binary frames"));
            ctx.close();
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf bytes) {
            ctx.write(new BinaryWebSocketFrame(bytes), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
