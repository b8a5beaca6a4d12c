package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.publisher.WsClient;
import io.agcgateway.sandbox.SandboxAgc;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 12 item 7: one connect link allowed 3,000 authorize starts in 4.3 s, and a link opened in two tabs stored
 * two connections. Both reproduced here against the real routes; run on H2 and PostgreSQL by the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConnectSessionLimitsContract {
    static final int MAX_STARTS = 20;

    Gateway gw;
    FlowDriver flow;
    JdbcTemplate db;
    int users;

    abstract TestGateway.Store store();

    @BeforeAll
    void boot() {
        gw = Gateway.start(TestGateway.with(TestGateway.settings(store()),
                "gateway.connect.max-starts-per-session", String.valueOf(MAX_STARTS)));
        flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
        db = new JdbcTemplate(gw.dataSource());
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    @BeforeEach
    void resetFaults() {
        gw.bean("sandboxAgc", SandboxAgc.class).faults().reset();
    }

    String user() {
        return "lim" + (++users) + "-" + store().name().toLowerCase();
    }

    long sessionId(String token) {
        return db.queryForObject("SELECT id FROM connect_sessions WHERE token_hash = ?", Long.class, Secrets.sha256Hex(token));
    }

    int connectionsOf(String endUser) {
        Http.Res r = flow.http.get("/connections?endUserId=" + endUser);
        assertThat(r.status()).isEqualTo(200);
        return r.json().path("connections").size();
    }

    static <T> List<T> inParallel(int n, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(n, 16));
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(task));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fiftyConcurrentStartsOnOneSession_onlyTheCapSucceeds_andTheRestAreRefusedWith429() throws Exception {
        String token = flow.session(user());
        List<Http.Res> answers = inParallel(50, () -> flow.connect("agc-sandbox", token, null));

        assertThat(answers.stream().filter(r -> r.status() == 302).count()).isEqualTo(MAX_STARTS);
        List<Http.Res> refused = answers.stream().filter(r -> r.status() != 302).toList();
        assertThat(refused).hasSize(50 - MAX_STARTS).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.body()).contains("too_many_starts").contains("new link");
        });
        long id = sessionId(token);
        assertThat(db.queryForObject("SELECT COUNT(*) FROM oauth_sessions WHERE connect_session_id = ?", Integer.class, id))
                .as("no state stored past the cap").isEqualTo(MAX_STARTS);
        assertThat(db.queryForObject("SELECT starts FROM connect_sessions WHERE id = ?", Integer.class, id)).isEqualTo(MAX_STARTS);
    }

    @Test
    void startPastTheCap_sendsTheErrorToTheSdksWebSocket() throws Exception {
        String token = flow.session(user());
        db.update("UPDATE connect_sessions SET starts = ? WHERE id = ?", MAX_STARTS, sessionId(token));
        WsClient ws = WsClient.open(gw.baseUrl(), "/");
        String wsId = ws.ack();

        Http.Res r = flow.browser.get("/oauth/connect/agc-sandbox?connect_session_token=" + token + "&ws_client_id=" + wsId);

        assertThat(r.status()).isEqualTo(429);
        JsonNode m = ws.next();
        assertThat(m.path("message_type").asText()).isEqualTo("error");
        assertThat(m.path("error_type").asText()).isEqualTo("too_many_starts");
    }

    @Test
    void startsBelowTheCap_stillWork() {
        String u = user();
        String token = flow.session(u);
        db.update("UPDATE connect_sessions SET starts = ? WHERE id = ?", MAX_STARTS - 1, sessionId(token));
        assertThat(flow.run("agc-sandbox", token, null).status()).isEqualTo(200);
        assertThat(connectionsOf(u)).isEqualTo(1);
    }

    @Test
    void oneSessionInTwoTabs_concurrentCallbacks_storeOneConnection() throws Exception {
        String u = user();
        String token = flow.session(u);
        List<String> callbacks = List.of(flow.approve(flow.connect("agc-sandbox", token, null).header("Location"), null),
                flow.approve(flow.connect("agc-sandbox", token, null).header("Location"), null));
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

        List<Http.Res> pages = inParallel(2, () -> flow.abs(callbacks.get(next.getAndIncrement())));

        assertThat(pages.stream().filter(p -> p.status() == 200).count()).as("one tab connects").isEqualTo(1);
        Http.Res loser = pages.stream().filter(p -> p.status() != 200).findFirst().orElseThrow();
        assertThat(loser.status()).isEqualTo(400);
        assertThat(loser.body()).contains("connect_session_used").contains("already used");
        assertThat(connectionsOf(u)).isEqualTo(1);
    }

    @Test
    void secondCallbackOfOneSession_sendsTheErrorToItsWebSocket() throws Exception {
        String u = user();
        String token = flow.session(u);
        String first = flow.approve(flow.connect("agc-sandbox", token, null).header("Location"), null);
        WsClient ws = WsClient.open(gw.baseUrl(), "/");
        String wsId = ws.ack();
        Http.Res second = flow.browser.get("/oauth/connect/agc-sandbox?connect_session_token=" + token + "&ws_client_id=" + wsId);
        assertThat(second.status()).isEqualTo(302);
        String secondCallback = flow.approve(second.header("Location"), null);

        assertThat(flow.abs(first).status()).isEqualTo(200);
        assertThat(flow.abs(secondCallback).status()).isEqualTo(400);

        JsonNode m = ws.next();
        assertThat(m.path("message_type").asText()).isEqualTo("error");
        assertThat(m.path("error_type").asText()).isEqualTo("connect_session_used");
        assertThat(connectionsOf(u)).isEqualTo(1);
    }

    @Test
    void twoTabs_whoseSessionTheConnectUiClosedMidFlow_storeOneConnection() {
        String u = user();
        String token = flow.session(u);
        String first = flow.approve(flow.connect("agc-sandbox", token, null).header("Location"), null);
        String second = flow.approve(flow.connect("agc-sandbox", token, null).header("Location"), null);
        assertThat(flow.browser.delete("/connect/session", "Authorization", "Bearer " + token).status()).isEqualTo(204);
        assertThat(flow.abs(first).status()).isEqualTo(200);

        Http.Res page = flow.abs(second);

        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body()).contains("connect_session_used");
        assertThat(connectionsOf(u)).isEqualTo(1);
    }

    @Test
    void flowInProgress_whenTheConnectUiClosesItsSession_keepsTheSessionsEndUser() {
        String u = user();
        String token = flow.session(u);
        String callback = flow.approve(flow.connect("agc-sandbox", token, null).header("Location"), null);
        assertThat(flow.browser.delete("/connect/session", "Authorization", "Bearer " + token).status()).isEqualTo(204);

        assertThat(flow.abs(callback).status()).isEqualTo(200);
        assertThat(flow.onlyConnection(u).path("end_user").path("id").asText()).isEqualTo(u);
    }

    @Test
    void reconnectSessionInTwoTabs_reauthorisesOnce() {
        String u = user();
        flow.run("agc-sandbox", flow.session(u), null);
        String id = flow.onlyConnection(u).path("connection_id").asText();
        Http.Res re = flow.http.post("/connect/sessions/reconnect", "{\"connection_id\":\"" + id + "\",\"integration_id\":\"agc-sandbox\"}");
        assertThat(re.status()).as(re.toString()).isEqualTo(201);
        String token = re.json().path("data").path("token").asText();
        String a = flow.approve(flow.connect("agc-sandbox", token, null).header("Location"), null);
        String b = flow.approve(flow.connect("agc-sandbox", token, null).header("Location"), null);
        long versionBefore = db.queryForObject("SELECT version FROM connections WHERE connection_id = ?", Long.class, id);

        assertThat(flow.abs(a).status()).isEqualTo(200);
        long versionAfterFirst = db.queryForObject("SELECT version FROM connections WHERE connection_id = ?", Long.class, id);
        Http.Res second = flow.abs(b);

        assertThat(second.status()).isEqualTo(400);
        assertThat(second.body()).contains("connect_session_used");
        assertThat(versionAfterFirst).isGreaterThan(versionBefore);
        assertThat(db.queryForObject("SELECT version FROM connections WHERE connection_id = ?", Long.class, id))
                .as("the second tab did not overwrite the tokens").isEqualTo(versionAfterFirst);
        assertThat(connectionsOf(u)).isEqualTo(1);
    }

    @Test
    void failedCodeExchange_leavesTheSessionUsable_forTheNextTry() {
        String u = user();
        String token = flow.session(u);
        gw.bean("sandboxAgc", SandboxAgc.class).faults().failNextTokenCalls(1, 503);
        assertThat(flow.run("agc-sandbox", token, null).status()).isEqualTo(400);

        assertThat(flow.run("agc-sandbox", token, null).status()).isEqualTo(200);
        assertThat(connectionsOf(u)).isEqualTo(1);
    }
}
