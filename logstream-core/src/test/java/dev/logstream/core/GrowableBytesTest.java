package dev.logstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GrowableBytesTest {

  @Test
  void ensureCapacityWithMax_doublingWouldOvershoot_growsToTheMaxOnly() {
    GrowableBytes bytes = new GrowableBytes(1000);

    bytes.ensureCapacity(1001, 1500);

    assertThat(bytes.array().length).isEqualTo(1500);
  }

  @Test
  void ensureCapacityWithMax_doublingFitsUnderTheMax_doubles() {
    GrowableBytes bytes = new GrowableBytes(1000);

    bytes.ensureCapacity(1001, 5000);

    assertThat(bytes.array().length).isEqualTo(2000);
  }

  @Test
  void ensureCapacityWithMax_needMoreThanDouble_growsToTheNeed() {
    GrowableBytes bytes = new GrowableBytes(10);

    bytes.ensureCapacity(300, 5000);

    assertThat(bytes.array().length).isEqualTo(300);
  }

  @Test
  void ensureCapacityWithMax_alreadyLargeEnough_keepsTheArray() {
    GrowableBytes bytes = new GrowableBytes(1000);
    byte[] before = bytes.array();

    bytes.ensureCapacity(1000, 1000);

    assertThat(bytes.array()).isSameAs(before);
  }

  @Test
  void ensureCapacityWithMax_capacityAboveMax_throwsNamingBoth() {
    GrowableBytes bytes = new GrowableBytes(10);

    assertThatThrownBy(() -> bytes.ensureCapacity(101, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity 101 exceeds maxCapacity 100");
  }

  @Test
  void ensureCapacityWithMax_contentKept_afterGrowth() {
    GrowableBytes bytes = new GrowableBytes(2);
    bytes.write(7);
    bytes.write(8);

    bytes.ensureCapacity(3, 3);

    assertThat(bytes.toByteArray()).containsExactly(7, 8);
    assertThat(bytes.array().length).isEqualTo(3);
  }
}
