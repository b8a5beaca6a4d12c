package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JVM flags the gateway ships with are the same in the README's run command, the image's entrypoint and the
 * benchmark's default, so what bench/proxy.sh measures is what a user runs; another collector gets one log line.
 */
class ShippedJvmFlagsTest {
    private static final String FLAGS = Gateway.SHIPPED_JVM_FLAGS;

    @Test
    void readmeImageAndBench_runTheSameFlags() throws IOException {
        assertThat(Files.readString(Path.of("README.md"))).contains("java " + FLAGS + " -jar target/agc-gateway.jar");
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<entrypoint>/opt/java/bin/java,-XX:MaxRAMPercentage=75,"
                + FLAGS.replace(' ', ',') + ",-cp,");
        assertThat(Files.readString(Path.of("bench/proxy.sh"))).contains("GW_JAVA_OPTS=${GW_JAVA_OPTS-\"" + FLAGS + "\"}");
    }

    @Test
    void anotherCollector_getsOneAdviceLine_theShippedOneNone() {
        assertThat(Gateway.collectorAdvice(List.of("G1 Young Generation", "G1 Old Generation")))
                .contains("G1 Young Generation").contains(FLAGS).contains("JVM and heap");
        assertThat(Gateway.collectorAdvice(List.of("Copy", "MarkSweepCompact"))).contains(FLAGS);
        assertThat(Gateway.collectorAdvice(List.of("PS Scavenge", "PS MarkSweep"))).isNull();
    }
}
