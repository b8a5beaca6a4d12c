package io.agcgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlCharsTest {

    @Test
    void find_flagsC0AndDel_tabOnlyWhenNotAllowed() {
        assertThat(ControlChars.find("plain key-1 é ü", false)).isEqualTo(-1);
        assertThat(ControlChars.find("x\u0000y", false)).isEqualTo(1);
        assertThat(ControlChars.find("\u001f", false)).isZero();
        assertThat(ControlChars.find("ab\u007f", false)).isEqualTo(2);
        assertThat(ControlChars.find("line\nbreak", true)).isEqualTo(4);
        assertThat(ControlChars.find("a\tb", false)).isEqualTo(1);
        assertThat(ControlChars.find("a\tb", true)).isEqualTo(-1);
        assertThat(ControlChars.find(null, false)).isEqualTo(-1);
        assertThat(ControlChars.find("\u0080 is C1, not C0", false)).isEqualTo(-1);
    }

    @Test
    void name_namesTheCodePoint_withoutEchoingIt() {
        assertThat(ControlChars.name('\u0000')).isEqualTo("U+0000");
        assertThat(ControlChars.name('\u007f')).isEqualTo("U+007F");
    }

    @Test
    void escape_makesControlsVisible_keepsTabAndLineBreaks() {
        assertThat(ControlChars.escape("x\u0000y\u001b[31m\u007f")).isEqualTo("x\\u0000y\\u001b[31m\\u007f");
        assertThat(ControlChars.escape("a\tb\r\nc")).isEqualTo("a\tb\r\nc");
        String clean = "nothing to do";
        assertThat(ControlChars.escape(clean)).isSameAs(clean);
        assertThat(ControlChars.escape(null)).isNull();
    }
}
