package io.agcgateway.oauth;

import io.agcgateway.support.FlowDriver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agcgateway.Gateway;
import io.agcgateway.sandbox.SandboxAgc;
import io.agcgateway.support.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real @nangohq/node 0.71.10 against a running gateway (src/test/node/sdk-connections.mjs). */
class NangoSdkCompatTest {
    private static final Path SDK_DIR = Path.of("target/nango-sdk").toAbsolutePath();

    @Test
    void nangoNodeSdk_0_71_10_worksAgainstTheGateway() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean tools = run(List.of("node", "--version"), null, 30).exit == 0 && run(List.of("npm", "--version"), null, 60).exit == 0;
        if (!tools && ci) {
            throw new AssertionError("node and npm are required when CI=true");
        }
        assumeTrue(tools, "node/npm not installed");
        if (!Files.isDirectory(SDK_DIR.resolve("node_modules/@nangohq/node"))) {
            Result install = run(List.of("npm", "install", "--prefix", SDK_DIR.toString(), "@nangohq/node@0.71.10"), null, 300);
            assertThat(install.exit).as(install.out).isZero();
        }
        try (Gateway gw = TestGateway.start(TestGateway.Store.H2)) {
            FlowDriver flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
            assertThat(flow.run("agc-sandbox", flow.session("sdk-owner"), "acme").status()).isEqualTo(200);
            String id = flow.onlyConnection("sdk-owner").path("connection_id").asText();
            assertThat(flow.run("agc-sandbox", flow.session("sdk-rejected"), "acme").status()).isEqualTo(200);
            String rejected = flow.onlyConnection("sdk-rejected").path("connection_id").asText();
            // the script's first token call is the forced refresh of `rejected`
            gw.bean("sandboxAgc", SandboxAgc.class).faults().failNextTokenCalls(1, 400);
            Result r = run(List.of("node", Path.of("src/test/node/sdk-connections.mjs").toAbsolutePath().toString()),
                    new String[] {"HOST", gw.baseUrl(), "KEY", gw.secretKey(), "CONNECTION", id, "REJECTED", rejected,
                        "SDK_DIR", SDK_DIR.toString()}, 120);
            System.out.println(r.out);
            assertThat(r.out).contains("ok getTokenRefreshRejected", "ok createConnectSession", "ok getConnection", "ok getToken", "ok listConnections", "ok listConnectionsByTags",
                    "ok setMetadata", "ok integrations", "ok deleteConnection").doesNotContain("fail ");
            assertThat(r.exit).isZero();
        }
    }

    private record Result(int exit, String out) {
    }

    private static Result run(List<String> cmd, String[] env, int timeoutSeconds) throws InterruptedException {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (env != null) {
                for (int i = 0; i < env.length; i += 2) {
                    pb.environment().put(env[i], env[i + 1]);
                }
            }
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
    }
}
