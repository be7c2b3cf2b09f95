package io.divastream.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed TLS identity for the local broker, made with the JDK's {@code keytool}: a PKCS12 key store holding
 * the broker's key and certificate (subject alternative name: the broker's address), and a PKCS12 trust store
 * holding that certificate, for the clients.
 *
 * @param keystore the broker's key store
 * @param truststore the clients' trust store
 * @param password the password of both
 */
public record LocalTls(Path keystore, Path truststore, String password) {

    /**
     * Makes a key store and a trust store in a directory.
     *
     * @param directory where the two files go
     * @param host the broker's address, written into the certificate as an IP address or a DNS name
     * @return the identity
     * @throws IllegalStateException if {@code keytool} fails
     */
    public static LocalTls generate(Path directory, String host) {
        String password = UUID.randomUUID().toString().replace("-", "");
        Path keystore = directory.resolve("broker.p12");
        Path certificate = directory.resolve("broker.pem");
        Path truststore = directory.resolve("clients-trust.p12");
        String san = host.matches("[0-9.]+") ? "ip:" + host : "dns:" + host;
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=" + host,
                "-ext",
                "SAN=" + san,
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                password,
                "-keypass",
                password);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "broker",
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                password,
                "-file",
                certificate.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "broker",
                "-file",
                certificate.toString(),
                "-keystore",
                truststore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                password);
        return new LocalTls(keystore, truststore, password);
    }

    /**
     * The broker's TLS settings (its key, and the trust it needs to talk to itself).
     *
     * @return broker properties
     */
    public Map<String, String> brokerProperties() {
        Map<String, String> properties = new java.util.HashMap<>(clientProperties());
        properties.put("ssl.keystore.location", keystore.toString());
        properties.put("ssl.keystore.password", password);
        properties.put("ssl.keystore.type", "PKCS12");
        properties.put("ssl.key.password", password);
        return Map.copyOf(properties);
    }

    /**
     * A client's TLS settings: the trust store.
     *
     * @return client properties (without {@code security.protocol})
     */
    public Map<String, String> clientProperties() {
        return Map.of(
                "ssl.truststore.location",
                truststore.toString(),
                "ssl.truststore.password",
                password,
                "ssl.truststore.type",
                "PKCS12");
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool runs", e);
        }
    }
}
