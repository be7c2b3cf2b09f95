package io.divastream.dev;

import java.util.Map;

/**
 * A SCRAM-SHA-512 user of the broker.
 *
 * @param name the user name
 * @param password the password
 */
public record ScramUser(String name, String password) {

    /** The only SASL mechanism of a secured local broker. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** Checks the parts: names and passwords are written into JAAS and format arguments unquoted. */
    public ScramUser {
        if (!name.matches("[A-Za-z0-9_-]+") || !password.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("SCRAM user names and passwords must be [A-Za-z0-9_-]+");
        }
    }

    /**
     * The client properties that log in as this user.
     *
     * @return security.protocol, sasl.mechanism and sasl.jaas.config
     */
    public Map<String, String> clientProperties() {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", MECHANISM, "sasl.jaas.config", jaasConfig());
    }

    public String jaasConfig() {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + name + "\" password=\""
                + password + "\";";
    }

    String formatArgument() {
        return MECHANISM + "=[name=" + name + ",password=" + password + "]";
    }
}
