package io.divastream.connectors.kafka;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * A program's first contact with Kafka: asks the cluster for its id with the program's client settings, so that
 * refused credentials, a listener of another protocol or an unreachable broker stop the program at once with one
 * line naming the listener and the mechanism, instead of a stack trace or clients that retry for ever.
 */
public final class KafkaPreflight {

    /** How long a program waits for the cluster's answer unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private KafkaPreflight() {}

    /**
     * Contacts the cluster.
     *
     * @param settings the client settings
     * @param timeout how long to wait for the answer
     * @return the cluster's id
     * @throws KafkaAccessException with a one-line message if the cluster refuses or does not answer
     */
    public static String check(KafkaSettings settings, Duration timeout) {
        Properties properties = settings.toProperties();
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        properties.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "diva-preflight");
        try (Admin admin = Admin.create(properties)) {
            return admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(settings, e.getCause(), timeout);
        } catch (TimeoutException e) {
            throw failure(settings, e, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaAccessException("interrupted while contacting Kafka at " + settings.bootstrapServers());
        } catch (org.apache.kafka.common.KafkaException e) {
            throw failure(settings, e, timeout);
        }
    }

    /**
     * Finds a refusal by the cluster (authentication, TLS, authorisation) among an exception's causes, for clients
     * that run long and meet it later than a preflight.
     *
     * @param settings the client settings
     * @param e what a client threw
     * @return the one-line exception, or empty if it is not a refusal
     */
    public static java.util.Optional<KafkaAccessException> refusal(KafkaSettings settings, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return java.util.Optional.of(failure(settings, t, DEFAULT_TIMEOUT));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The one-line message for a failed contact.
     *
     * @param settings the client settings
     * @param cause what the client reported
     * @param timeout how long it waited
     * @return the exception to throw
     */
    static KafkaAccessException failure(KafkaSettings settings, Throwable cause, Duration timeout) {
        String listener = listener(settings);
        if (cause instanceof SslAuthenticationException) {
            return new KafkaAccessException("Kafka at " + listener + " refused the TLS handshake: " + oneLine(cause));
        }
        if (cause instanceof AuthenticationException) {
            return new KafkaAccessException("Kafka at " + listener + " refused authentication: " + oneLine(cause)
                    + "; check the credentials" + " in sasl.jaas.config");
        }
        if (cause instanceof AuthorizationException) {
            return new KafkaAccessException(
                    "Kafka at " + listener + " denied access: " + oneLine(cause) + "; ask for the cluster's ACLs");
        }
        if (cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new KafkaAccessException(
                    "Kafka at " + listener + " did not answer within " + timeout.toSeconds()
                            + " s: the brokers are unreachable, or the listener speaks another protocol (a SASL or TLS"
                            + " listener needs security.protocol and sasl.mechanism among the kafka.properties.*)",
                    true);
        }
        return new KafkaAccessException("cannot reach Kafka at " + listener + ": " + oneLine(cause));
    }

    /** The brokers with the protocol and mechanism the client used. */
    private static String listener(KafkaSettings settings) {
        String protocol =
                settings.property(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG).orElse("PLAINTEXT");
        String text = settings.bootstrapServers() + " (security.protocol " + protocol;
        if (protocol.startsWith("SASL")) {
            text += ", sasl.mechanism "
                    + settings.property(SaslConfigs.SASL_MECHANISM).orElse("GSSAPI");
        }
        return text + ")";
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replace('\n', ' ').strip();
    }

    /** Kafka refused the program or did not answer; the message is one line for the user. */
    public static final class KafkaAccessException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final boolean unanswered;

        /**
         * Creates the exception for a refusal or an error.
         *
         * @param message the one-line message
         */
        public KafkaAccessException(String message) {
            this(message, false);
        }

        /**
         * Creates the exception.
         *
         * @param message the one-line message
         * @param unanswered whether the cluster gave no answer at all (rather than refusing)
         */
        public KafkaAccessException(String message, boolean unanswered) {
            super(message);
            this.unanswered = unanswered;
        }

        /**
         * Tells whether the cluster gave no answer in time: it may be starting, or the protocol is wrong.
         *
         * @return true for no answer, false for a refusal or an error
         */
        public boolean unanswered() {
            return unanswered;
        }
    }
}
