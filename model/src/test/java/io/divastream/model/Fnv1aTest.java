package io.divastream.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** FNV-1a against the published 64-bit test vectors, and over UTF-8 rather than UTF-16. */
class Fnv1aTest {

    @Test
    void givesThePublishedValues() {
        assertThat(Fnv1a.of("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(Fnv1a.of("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(Fnv1a.of("foobar")).isEqualTo(0x85944171f73967e8L);
    }

    @Test
    void hashesTheUtf8Bytes() {
        long h = 0xcbf29ce484222325L;
        for (byte b : new byte[] {(byte) 0xc3, (byte) 0xa9}) { // "é" in UTF-8
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        assertThat(Fnv1a.of("\u00e9")).isEqualTo(h);
    }
}
