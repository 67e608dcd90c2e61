package com.example.hyphae.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ChatTextTest {

    @Test
    void roundTripsText() {
        assertEquals("héllo\tworld ✓", ChatText.decode(ChatText.encode("héllo\tworld ✓")));
    }

    @Test
    void refusesWhatIsNotChatTextSayingWhy() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChatText.decode(new byte[0]))
                .getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChatText.decode(new byte[] {(byte) 0xC3, 0x28}))
                .getMessage().contains("UTF-8"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ChatText.decode("bell\u0007".getBytes(StandardCharsets.UTF_8))).getMessage().contains("U+0007 at 4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChatText.encode("x".repeat(ChatText.MAX_BYTES + 1)))
                .getMessage().contains("at most " + ChatText.MAX_BYTES));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChatRooms.topic("no spaces"))
                .getMessage().contains("room names"));
    }
}
