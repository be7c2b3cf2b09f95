package io.divastream.demo;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.schemas.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Corrupt input the demo publishes on purpose, one of each kind the pipeline rejects: bytes that
 * are not an Avro record, an event with an empty label, and an event whose image is not an image.
 */
final class BadEvents {

    private BadEvents() {}

    static byte[] of(int index) {
        return switch (index % 3) {
            case 0 -> "this is not an Avro record".getBytes(StandardCharsets.UTF_8);
            case 1 -> event("corrupt-" + index, "", pngHeaderOnly());
            default -> event("corrupt-" + index, "Korean/character01", "plain text".getBytes(StandardCharsets.UTF_8));
        };
    }

    private static byte[] event(String id, String label, byte[] image) {
        return AvroCodec.of(ImageEvent.class)
                .encode(ImageEvent.newBuilder()
                        .setImageId(id)
                        .setLabel(label)
                        .setContentType("image/png")
                        .setImage(ByteBuffer.wrap(image))
                        .setEventTime(Instant.now())
                        .setSource("diva-demo/corrupt")
                        .build());
    }

    private static byte[] pngHeaderOnly() {
        return new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    }
}
