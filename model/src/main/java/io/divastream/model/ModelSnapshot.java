package io.divastream.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An immutable, versioned copy of the query network's parameters, as DJL serializes them. This is
 * what the trainer hands to the embedders; it holds no native memory.
 *
 * @param version the model version, increasing from 1
 * @param step the optimizer step at which it was taken
 * @param parameters the serialized parameters of the network
 * @param parameterCount the number of scalar parameters
 */
public record ModelSnapshot(long version, long step, byte[] parameters, long parameterCount) {

    /** Checks the values. */
    public ModelSnapshot {
        if (parameters == null || parameters.length == 0) {
            throw new IllegalArgumentException("a snapshot needs parameters");
        }
    }

    /**
     * Returns the SHA-256 of the serialized parameters.
     *
     * @return lower-case hex digest
     */
    public String sha256() {
        return sha256(parameters);
    }

    /**
     * Returns the SHA-256 of some bytes (a model artefact's files are named by it).
     *
     * @param bytes the bytes
     * @return lower-case hex digest
     */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
