package org.cxrscreen.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.testsupport.SharedData;
import org.junit.jupiter.api.Test;

class CanonicalImagesTest {

    @Test
    void theLongerSideIsBroughtTo1024KeepingTheAspect() {
        GrayImage big = TestImages.gradient(2500, 2048);

        GrayImage canonical = CanonicalImages.canonicalise(big);

        assertThat(canonical.width()).isEqualTo(1024);
        assertThat(canonical.height()).isEqualTo(839);
    }

    @Test
    void anImageAlreadySmallEnoughIsKeptAsItIs() {
        GrayImage small = TestImages.gradient(224, 224);

        assertThat(CanonicalImages.canonicalise(small)).isSameAs(small);
    }

    @Test
    void thePngRoundTripIsLosslessOnARealImage() {
        byte[] jpeg = SharedData.read(SharedData.images(ScreeningClass.PNEUMONIA, 1).get(0));
        GrayImage canonical = CanonicalImages.fromEncoded(jpeg, new ImageDecoder(ImageLimits.DEFAULT));

        byte[] png = CanonicalImages.encodePng(canonical);

        assertThat(ImageFormat.detect(png)).isEqualTo(ImageFormat.PNG);
        assertThat(CanonicalImages.decodePng(png)).isEqualTo(canonical);
    }

    @Test
    void aJpegIsNotACanonicalImage() {
        byte[] jpeg = SharedData.read(SharedData.images(ScreeningClass.NORMAL, 1).get(0));

        assertThatThrownBy(() -> CanonicalImages.decodePng(jpeg))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("must be a PNG");
    }
}
