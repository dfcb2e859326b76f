package dev.logstream.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ForwardSecurityTest {

  private static ForwardSecurity.Builder minimal() {
    return ForwardSecurity.builder().sharedKey("s3cr3t").selfHostname("server.example");
  }

  @Test
  void build_everyOption_roundTrips() {
    ForwardSecurity security =
        ForwardSecurity.builder()
            .sharedKey("s3cr3t")
            .selfHostname("server.example")
            .user("bob", "hunter2")
            .user("alice", "correct horse")
            .keepalive(false)
            .build();

    assertThat(security.sharedKeyBytes()).isEqualTo("s3cr3t".getBytes(StandardCharsets.UTF_8));
    assertThat(security.selfHostname()).isEqualTo("server.example");
    assertThat(security.selfHostnameBytes())
        .isEqualTo("server.example".getBytes(StandardCharsets.UTF_8));
    assertThat(security.keepalive()).isFalse();
    assertThat(security.userAuth()).isTrue();
    assertThat(security.usernames()).containsExactly("bob", "alice");
    assertThat(security.passwordFor("bob".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("hunter2".getBytes(StandardCharsets.UTF_8));
    assertThat(security.passwordFor("alice".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("correct horse".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void build_requiredOnly_keepsAliveWithoutUserAuth() {
    ForwardSecurity security = minimal().build();

    assertThat(security.keepalive()).isTrue();
    assertThat(security.userAuth()).isFalse();
    assertThat(security.usernames()).isEmpty();
  }

  @Test
  void passwordFor_unknownOrDifferentCase_isNull() {
    ForwardSecurity security = minimal().user("bob", "hunter2").build();

    assertThat(security.passwordFor("carol".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(security.passwordFor("Bob".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(security.passwordFor(new byte[0])).isNull();
  }

  @Test
  void user_nonAsciiName_isMatchedByItsUtf8Bytes() {
    ForwardSecurity security = minimal().user("jürgen", "pässword").build();

    assertThat(security.passwordFor("jürgen".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("pässword".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void usernames_returned_cannotBeChanged() {
    ForwardSecurity security = minimal().user("bob", "hunter2").build();

    assertThatThrownBy(() -> security.usernames().add("mallory"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void build_builderChangedAfterwards_leavesTheBuiltValueAlone() {
    ForwardSecurity.Builder builder = minimal().user("bob", "hunter2");
    ForwardSecurity first = builder.build();

    builder.user("alice", "correct horse");

    assertThat(first.usernames()).containsExactly("bob");
    assertThat(first.passwordFor("alice".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(builder.build().usernames()).containsExactly("bob", "alice");
  }

  @Test
  void toString_always_hidesTheSharedKeyAndPasswords() {
    ForwardSecurity security = minimal().user("bob", "hunter2").build();

    assertThat(security)
        .hasToString(
            "ForwardSecurity{selfHostname=server.example, keepalive=true, users=[bob],"
                + " sharedKey=***}");
    assertThat(security.toString()).doesNotContain("s3cr3t").doesNotContain("hunter2");
  }

  @Test
  void sharedKey_empty_isRejected() {
    assertThatThrownBy(() -> ForwardSecurity.builder().sharedKey(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sharedKey must not be empty");
  }

  @Test
  void sharedKey_setTwice_isRejectedWithoutShowingTheKey() {
    assertThatThrownBy(() -> minimal().sharedKey("other"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("sharedKey was already set");
  }

  @Test
  void sharedKey_null_namesTheOption() {
    assertThatThrownBy(() -> ForwardSecurity.builder().sharedKey(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("sharedKey");
  }

  @Test
  void selfHostname_empty_isRejected() {
    assertThatThrownBy(() -> ForwardSecurity.builder().selfHostname(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("selfHostname must not be empty");
  }

  @Test
  void selfHostname_setTwice_namesTheFirstValue() {
    assertThatThrownBy(() -> minimal().selfHostname("other.example"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("selfHostname was already set to 'server.example'");
  }

  @Test
  void selfHostname_null_namesTheOption() {
    assertThatThrownBy(() -> ForwardSecurity.builder().selfHostname(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("selfHostname");
  }

  @Test
  void user_addedTwice_isRejected() {
    ForwardSecurity.Builder builder = minimal().user("bob", "hunter2");

    assertThatThrownBy(() -> builder.user("bob", "other"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("user 'bob' was already added");
  }

  @Test
  void user_emptyName_isRejected() {
    assertThatThrownBy(() -> minimal().user("", "hunter2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("user name must not be empty");
  }

  @Test
  void user_emptyPassword_namesTheUser() {
    assertThatThrownBy(() -> minimal().user("bob", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("password of user 'bob' must not be empty");
  }

  @Test
  void user_nullNameOrPassword_namesTheParameter() {
    assertThatThrownBy(() -> minimal().user(null, "hunter2"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("username");
    assertThatThrownBy(() -> minimal().user("bob", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("password");
  }

  @Test
  void keepalive_setTwice_namesTheFirstValue() {
    assertThatThrownBy(() -> minimal().keepalive(false).keepalive(true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("keepalive was already set to false");
  }

  @Test
  void build_withoutSharedKey_isRejected() {
    assertThatThrownBy(() -> ForwardSecurity.builder().selfHostname("server.example").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("sharedKey is required");
  }

  @Test
  void build_withoutSelfHostname_isRejected() {
    assertThatThrownBy(() -> ForwardSecurity.builder().sharedKey("s3cr3t").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("selfHostname is required");
  }
}
