package io.agcgateway.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The headless Chromium the browser tests drive: Debian's chromium and chromium-driver. Missing on a laptop, the test is
 * skipped; missing under CI=true, it fails (a browser test must never be skipped by the gate).
 */
public final class Chromium {
    private static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
    }

    /** Skips the test class outside CI when chromium is absent; fails it under CI=true. */
    public static void assumeInstalled() {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (!installed() && ci) {
            fail("CI=true but " + BINARY + " or " + DRIVER + " is missing: apt-get install -y chromium chromium-driver");
        }
        Assumptions.assumeTrue(installed(), "chromium/chromedriver not installed: browser test skipped");
    }

    /** A fresh headless browser (own profile, 1280×900); with {@code consoleLogs} the page's console is readable. */
    public static WebDriver start(boolean consoleLogs) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        try {
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1280,900", "--user-data-dir=" + Files.createTempDirectory("agc-chromium"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (consoleLogs) {
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
