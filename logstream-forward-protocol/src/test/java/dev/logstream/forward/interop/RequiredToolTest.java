package dev.logstream.forward.interop;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class RequiredToolTest {

  @Test
  void require_missingToolInCi_throwsAssertionErrorNamingThePackage() {
    assertThatThrownBy(() -> RequiredTool.require(false, "go", "golang-go", true))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("go is missing: install the Debian package(s) golang-go");
  }

  @Test
  void require_missingToolOutsideCi_abortsNamingThePackage() {
    assertThatThrownBy(() -> RequiredTool.require(false, "go", "golang-go", false))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("install the Debian package(s) golang-go");
  }

  @Test
  void require_presentTool_returns() {
    assertThatCode(() -> RequiredTool.require(true, "go", "golang-go", true))
        .doesNotThrowAnyException();
  }
}
