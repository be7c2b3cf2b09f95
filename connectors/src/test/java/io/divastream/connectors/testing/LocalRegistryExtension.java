package io.divastream.connectors.testing;

import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.dev.LocalSchemaRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension running one real {@link LocalSchemaRegistry} (Apicurio Registry) per test class, with helpers
 * for its Confluent-compatible API. Register it on a static field.
 */
public final class LocalRegistryExtension implements BeforeAllCallback, AfterAllCallback {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LocalSchemaRegistry registry;

    @Override
    public void beforeAll(ExtensionContext context) {
        registry = LocalSchemaRegistry.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    /**
     * The running registry.
     *
     * @return the registry
     */
    public LocalSchemaRegistry registry() {
        if (registry == null) {
            throw new IllegalStateException("the schema registry is not running");
        }
        return registry;
    }

    /**
     * The registry format with this registry.
     *
     * @return the format
     */
    public SerdeFormat format() {
        return SerdeFormat.registry(registry().apiUrl());
    }

    /**
     * The settings a plain Kafka client gives Apicurio's Avro serde to read and write what the system writes with
     * {@code serde.format registry}: no class of this project.
     *
     * @return the serde's settings
     */
    public java.util.Map<String, Object> plainSerdeSettings() {
        return java.util.Map.of(
                "apicurio.registry.url", registry().apiUrl(),
                "apicurio.registry.as-confluent", "true",
                "apicurio.registry.headers.enabled", "false",
                "apicurio.registry.use-id", "contentId",
                "apicurio.registry.auto-register", "true");
    }

    /**
     * {@code ImageEvent} as it was before {@code source}: one field fewer, the older event a producer may still
     * register and send.
     *
     * @return the schema
     */
    public static org.apache.avro.Schema olderImageEventSchema() {
        return org.apache.avro.SchemaBuilder.record("ImageEvent")
                .namespace("io.divastream.schemas")
                .fields()
                .requiredString("imageId")
                .requiredString("label")
                .requiredString("contentType")
                .requiredBytes("image")
                .name("eventTime")
                .type(org.apache.avro.LogicalTypes.timestampMillis()
                        .addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG)))
                .noDefault()
                .endRecord();
    }

    /**
     * Calls the Confluent-compatible API.
     *
     * @param method GET, POST, PUT or DELETE
     * @param path the path under {@code /apis/ccompat/v7}, e.g. {@code /subjects}
     * @param json the request body, or null
     * @return the response
     */
    public HttpResponse<String> confluent(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(registry().confluentUrl() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the registry did not answer " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Registers a schema under a subject through the Confluent-compatible API.
     *
     * @param subject the subject, e.g. {@code diva.images-value}
     * @param schema the schema's JSON
     * @return the response (200 with the id, 409 if incompatible)
     */
    public HttpResponse<String> register(String subject, String schema) {
        String quoted = schema.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
        return confluent("POST", "/subjects/" + subject + "/versions", "{\"schema\":\"" + quoted + "\"}");
    }
}
