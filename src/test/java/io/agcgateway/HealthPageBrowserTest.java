package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.agcgateway.support.HealthSeed;
import io.agcgateway.support.Chromium;
import io.agcgateway.support.TestGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's Health page in headless Chromium against seeded rows (support/HealthSeed): uPlot loads from the
 * gateway under the page's CSP, every chart draws, on a fresh install and with data, the numbers shown are the seeded
 * ones, and pictures are kept at target/screenshots/health-empty.png and health.png. Skipped only outside CI when chromium is not installed (as DashboardBrowserTest).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthPageBrowserTest {
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final String OPERATOR_KEY = "5d0f3c2a-8b1e-4f6d-9a7c-2e4b6d8f0a13";
    private static final List<String> CHARTS = List.of("chart-requests", "chart-latency", "chart-refresh", "chart-ages");

    private static Gateway gw;
    private static WebDriver driver;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        Chromium.assumeInstalled();
        gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), HealthSeed.SWEEP_OFF[0], HealthSeed.SWEEP_OFF[1],
                "gateway.operator-key", OPERATOR_KEY));
        Files.createDirectories(SHOTS);
        driver = Chromium.start(true);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    @Order(1)
    void freshInstall_drawsEmptyAxesWithNotes() throws IOException {
        openHealth();
        for (String chart : CHARTS) {
            assertThat(drawnPixels(chart)).as(chart + " draws its axes").isGreaterThan(100L);
        }
        assertThat(driver.findElement(By.id("health-requests")).getText()).isEqualTo("0");
        assertThat(driver.findElement(By.id("health-p95")).getText()).isEqualTo("—");
        assertThat(driver.findElement(By.id("health-oldest")).getText()).isEqualTo("—");
        assertThat(driver.findElement(By.id("health-state-fresh")).getText()).isEqualTo("0");
        for (String note : List.of("health-proxy-empty", "health-refresh-empty", "health-connections-empty")) {
            assertThat(driver.findElement(By.id(note)).isDisplayed()).as(note).isTrue();
        }
        assertThat(consoleProblems()).as("browser console (CSP violations, script errors)").isEmpty();
        fullScreenshot("health-empty.png");
    }

    @Test
    @Order(2)
    void healthPage_drawsEveryChart_andShowsTheSeededNumbers() throws IOException {
        HealthSeed.seed(gw);
        openHealth();
        assertThat(driver.findElement(By.id("nav-health")).getAttribute("aria-current")).isEqualTo("page");
        for (String chart : CHARTS) {
            assertThat(drawnPixels(chart)).as(chart + " has drawn pixels").isGreaterThan(2000L);
        }

        Map<String, String> shown = Map.ofEntries(
                Map.entry("health-requests", "100"), Map.entry("health-errors", "10"), Map.entry("health-error-rate", "10.0 %"),
                Map.entry("health-p50", "51 ms"), Map.entry("health-p95", "95 ms"), Map.entry("health-p99", "99 ms"),
                Map.entry("health-refresh-ok", "3"), Map.entry("health-refresh-rejected", "2"), Map.entry("health-refresh-transient", "1"),
                Map.entry("health-state-fresh", "2"), Map.entry("health-state-due", "1"), Map.entry("health-state-failing", "1"),
                Map.entry("health-state-revoked", "2"), Map.entry("health-oldest", "95 d"), Map.entry("health-over-limit", "1"));
        for (Map.Entry<String, String> e : shown.entrySet()) {
            assertThat(driver.findElement(By.id(e.getKey())).getText()).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(driver.findElement(By.id("health-over-limit")).findElement(By.xpath("..")).getAttribute("class")).contains("tile-alert");
        assertThat(driver.findElement(By.id("health-proxy-empty")).isDisplayed()).isFalse();
        // the 90-day marker is part of the histogram's legend-free drawing: its label is checked through the data
        assertThat(js("return document.querySelectorAll('#chart-ages .u-legend .u-series').length")).isEqualTo(5L);

        String page = driver.getPageSource();
        for (String token : HealthSeed.tokens()) {
            assertThat(page).doesNotContain(token);
        }
        assertThat(page).doesNotContain(gw.secretKey());
        assertThat(consoleProblems()).as("browser console (CSP violations, script errors)").isEmpty();
        fullScreenshot("health.png");
    }

    @Test
    @Order(3)
    void theOperatorKey_signsIntoTheHealthPageOnly() {
        driver.get(gw.baseUrl() + "/");
        js("sessionStorage.clear()");
        driver.get(gw.baseUrl() + "/ui#/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret-key")));
        // a wrong key is still refused with the usual message
        driver.findElement(By.id("secret-key")).sendKeys("11111111-2222-4333-8444-555555555555");
        driver.findElement(By.id("signin-submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("signin-error"), "Wrong secret key"));

        driver.findElement(By.id("secret-key")).clear();
        driver.findElement(By.id("secret-key")).sendKeys(OPERATOR_KEY);
        driver.findElement(By.id("signin-submit")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Health"));
        for (String chart : CHARTS) {
            wait.until(ExpectedConditions.attributeToBe(By.id(chart), "data-rendered", "true"));
        }
        // the only console lines so far: the 401s of the key checks (the wrong key twice, the operator key on /integrations)
        assertThat(consoleProblems()).allSatisfy(l -> assertThat(l.getMessage()).contains("401"));
        assertThat(driver.findElement(By.id("nav-health")).isDisplayed()).isTrue();
        for (String other : List.of("nav-integrations", "nav-connections", "nav-logs")) {
            assertThat(driver.findElement(By.id(other)).isDisplayed()).as(other).isFalse();
        }
        // any other page leads back to Health instead of a 401 that signs the operator out
        driver.get(gw.baseUrl() + "/ui#/connections");
        wait.until(ExpectedConditions.urlContains("#/health"));
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Health"));
        assertThat(driver.findElement(By.id("sign-out")).isDisplayed()).isTrue();
        assertThat(consoleProblems()).isEmpty();
        js("sessionStorage.clear()");
    }

    /** Signed in by the key in sessionStorage; waits until every chart has drawn once. */
    private static void openHealth() {
        driver.get(gw.baseUrl() + "/");
        js("sessionStorage.setItem('agc-gateway.secret-key', arguments[0])", gw.secretKey());
        // another path than the one the key was stored on, so the page loads again and reads it
        driver.get(gw.baseUrl() + "/ui#/health");
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Health"));
        for (String chart : CHARTS) {
            wait.until(ExpectedConditions.attributeToBe(By.id(chart), "data-rendered", "true"));
        }
    }

    /** Pixels of the chart's canvas that are not transparent: axes, grid, lines, bars. */
    private static long drawnPixels(String chart) {
        return (Long) js("const c = document.querySelector('#' + arguments[0] + ' canvas');"
                + "if (!c || !c.width || !c.height) return 0;"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                + "for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;", chart);
    }

    private static List<LogEntry> consoleProblems() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(l -> l.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The whole page in one picture: the window grows to the page's height, then back. */
    private static void fullScreenshot(String name) throws IOException {
        js("window.scrollTo(0, 0)");
        Dimension before = driver.manage().window().getSize();
        long height = (Long) js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)");
        driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(4000, Math.max(before.getHeight(), height + 120))));
        try {
            Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } finally {
            driver.manage().window().setSize(before);
        }
    }
}
