package io.divastream.datasets;

import java.util.Objects;

/**
 * An image whose bytes are held in memory.
 *
 * @param bytes the encoded image (not copied)
 * @param location the full location
 * @param origin the short origin
 */
record BytesImageSource(byte[] bytes, String location, String origin) implements ImageSource {

    BytesImageSource {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(origin, "origin");
    }

    @Override
    public byte[] read() {
        return bytes.clone();
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BytesImageSource other
                && java.util.Arrays.equals(bytes, other.bytes)
                && location.equals(other.location)
                && origin.equals(other.origin);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(location, origin) + java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "BytesImageSource[" + location + ", " + bytes.length + " bytes]";
    }
}
