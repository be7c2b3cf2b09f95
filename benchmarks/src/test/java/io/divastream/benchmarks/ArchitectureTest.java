package io.divastream.benchmarks;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules over the main classes of every module (this module depends on all of them): no package import
 * cycle anywhere, and the method free of Flink, Kafka and Avro.
 */
class ArchitectureTest {

    /**
     * Main classes only, from class folders or jars (in a full build the other modules are jars): not test classes,
     * nor the test jars this module depends on.
     */
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(location -> !location.contains("/test-classes/") && !location.contains("-tests.jar"))
            .importPackages("io.divastream");

    @Test
    void everyModuleIsOnTheClassPath() {
        for (String module : new String[] {
            "schemas",
            "model",
            "images",
            "datasets",
            "evaluation",
            "artefacts",
            "offline",
            "connectors",
            "dev",
            "producer",
            "watch",
            "jobs",
            "demo",
            "search",
            "benchmarks"
        }) {
            assertThat(MAIN.stream().anyMatch(c -> c.getPackageName().startsWith("io.divastream." + module)))
                    .as(module)
                    .isTrue();
        }
    }

    @Test
    void noPackageImportCycles() {
        slices().matching("io.divastream.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theMethodIsFreeOfTheStreamingStack() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that()
                .resideInAPackage("io.divastream.model..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.flink..", "org.apache.kafka..", "org.apache.avro..")
                .check(MAIN);
    }
}
