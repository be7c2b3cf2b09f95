package io.divastream.registry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;

import javax.enterprise.inject.Produces;
import javax.inject.Singleton;
import java.util.List;

/**
 * Replaces the build-time "config-index" Quarkus extension of apicurio-common-app-components
 * (its -deployment artifact is not available from Maven Central): provides an empty list of
 * dynamic (runtime-editable) config properties.
 */
@Singleton
public class DynamicConfigPropertyListProducer {
    @Produces
    @Singleton
    DynamicConfigPropertyList dynamicConfigPropertyList() {
        return new DynamicConfigPropertyList(List.of());
    }
}
