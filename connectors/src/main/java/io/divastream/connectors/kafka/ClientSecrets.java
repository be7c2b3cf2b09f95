package io.divastream.connectors.kafka;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which Kafka client properties hold secrets, and their masked form for logs and messages: {@code
 * sasl.jaas.config}, every {@code *.password}, key material ({@code ssl.keystore.key}), OAuth client secrets and
 * registry credentials ({@code *.user.info}, {@code *credentials*}, {@code *secret*}, {@code *token*}).
 */
public final class ClientSecrets {

    /** What a secret's value is replaced with. */
    public static final String MASK = "[hidden]";

    private ClientSecrets() {}

    /**
     * Tells whether a property's value is a secret.
     *
     * @param key the property's name
     * @return true if its value must never be logged
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.endsWith("sasl.jaas.config")
                || k.endsWith("password")
                || k.endsWith(".key")
                || k.endsWith(".user.info")
                || k.contains("credentials")
                || k.contains("secret")
                || k.contains("token");
    }

    /**
     * Returns properties with every secret's value masked, sorted by key.
     *
     * @param properties the properties
     * @return a printable copy
     */
    public static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> copy = new TreeMap<>();
        properties.forEach((key, value) -> copy.put(key, isSecret(key) ? MASK : value));
        return copy;
    }
}
