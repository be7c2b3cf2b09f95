package io.divastream.images;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Hostile encoded images for tests, written byte by byte: decompression bombs (small files whose
 * headers declare huge images), truncated bombs and a JPEG whose frame header declares a huge size.
 * Shared with the job's and the search service's tests through the model's test jar.
 */
public final class HostileImages {

    private HostileImages() {}

    /** PNG colour type of RGBA. */
    public static final int RGBA = 6;
    /** PNG colour type of gray. */
    public static final int GRAY = 0;

    /**
     * A complete, valid PNG of zeros: every row is there, compressed (an 8192 x 8192 16-bit RGBA one
     * is about 520 KB and decodes to 512 MiB).
     *
     * @param width the width
     * @param height the height
     * @param bitDepth 8 or 16
     * @param colourType {@link #RGBA} or {@link #GRAY}
     * @return the PNG file
     */
    public static byte[] zeroPng(int width, int height, int bitDepth, int colourType) {
        int channels = colourType == RGBA ? 4 : 1;
        long rowBytes = 1 + (long) width * channels * bitDepth / 8;
        return png(width, height, bitDepth, colourType, deflateZeros(rowBytes * height));
    }

    /**
     * A PNG whose header declares a size and whose image data is a few compressed bytes of zeros (a
     * decoder that trusts the header allocates the whole image before it finds the data missing).
     *
     * @param width the declared width
     * @param height the declared height
     * @return the PNG file, under 200 bytes
     */
    public static byte[] declaringPng(int width, int height) {
        return png(width, height, 8, RGBA, deflateZeros(4096));
    }

    /**
     * The first bytes of a file.
     *
     * @param file the file
     * @param length how many bytes to keep
     * @return the prefix
     */
    public static byte[] cut(byte[] file, int length) {
        return Arrays.copyOf(file, Math.min(length, file.length));
    }

    /**
     * A baseline JPEG whose frame header (SOF0) declares a size, followed by a minimal Huffman table
     * and scan header and no image data.
     *
     * @param width the declared width, at most 65535
     * @param height the declared height, at most 65535
     * @return the JPEG file
     */
    public static byte[] declaringJpeg(int width, int height) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeShort(0xFFD8); // SOI
            out.writeShort(0xFFDB); // DQT: one table of ones
            out.writeShort(67);
            out.writeByte(0);
            for (int i = 0; i < 64; i++) {
                out.writeByte(1);
            }
            out.writeShort(0xFFC0); // SOF0: 8-bit, three components
            out.writeShort(17);
            out.writeByte(8);
            out.writeShort(height);
            out.writeShort(width);
            out.writeByte(3);
            for (int c = 1; c <= 3; c++) {
                out.writeByte(c);
                out.writeByte(0x11);
                out.writeByte(0);
            }
            for (int table : new int[] {0x00, 0x10}) { // DHT: one code of length 1 per table
                out.writeShort(0xFFC4);
                out.writeShort(3 + 16 + 1);
                out.writeByte(table);
                out.writeByte(1);
                for (int i = 1; i < 16; i++) {
                    out.writeByte(0);
                }
                out.writeByte(0);
            }
            out.writeShort(0xFFDA); // SOS
            out.writeShort(12);
            out.writeByte(3);
            for (int c = 1; c <= 3; c++) {
                out.writeByte(c);
                out.writeByte(0x00);
            }
            out.writeByte(0);
            out.writeByte(63);
            out.writeByte(0);
            out.writeShort(0xFFD9); // EOI
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] png(int width, int height, int bitDepth, int colourType, byte[] idat) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            DataOutputStream h = new DataOutputStream(header);
            h.writeInt(width);
            h.writeInt(height);
            h.write(new byte[] {(byte) bitDepth, (byte) colourType, 0, 0, 0});
            chunk(out, "IHDR", header.toByteArray());
            chunk(out, "IDAT", idat);
            chunk(out, "IEND", new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    private static byte[] deflateZeros(long length) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try (DeflaterOutputStream z = new DeflaterOutputStream(bytes, deflater, 1 << 16)) {
            byte[] zeros = new byte[1 << 20];
            for (long left = length; left > 0; left -= zeros.length) {
                z.write(zeros, 0, (int) Math.min(left, zeros.length));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        return bytes.toByteArray();
    }
}
