import {
  createTheme,
  darken,
  defaultVariantColorsResolver,
  luminance,
  parseThemeColor,
  type MantineColorsTuple,
  type VariantColorsResolver,
} from "@mantine/core";

const fontFamily =
  "'Pretendard Variable', Pretendard, -apple-system, BlinkMacSystemFont, system-ui, 'Noto Sans KR', 'Noto Sans CJK KR', sans-serif";

const PRIMARY_SHADE = 7;
// The darkest background white text can sit on at WCAG AA's 4.5:1: (1 + 0.05) / (L + 0.05) ≥ 4.5.
const WHITE_TEXT_MAX_LUMINANCE = 1.05 / 4.5 - 0.05;

/** The first shade from the primary one on that carries white text at AA (red 8, teal 9, …). */
function filledBackground(shades: MantineColorsTuple): string {
  const shade = shades.slice(PRIMARY_SHADE).find((color) => luminance(color) <= WHITE_TEXT_MAX_LUMINANCE);
  return shade ?? darken(shades[9], 0.25);
}

// Mantine's light and subtle variants put shade 6 text on a pale background, and its filled
// green, orange or red buttons put white text on shade 7; both fall short of WCAG AA contrast
// for small text. A darkened shade 9 text, and a background dark enough for white, pass.
const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  if (!["light", "subtle", "filled"].includes(input.variant)) return colors;
  const parsed = parseThemeColor({ color: input.color || input.theme.primaryColor, theme: input.theme });
  if (!parsed.isThemeColor || parsed.shade !== undefined) return colors;
  const shades = input.theme.colors[parsed.color];
  if (input.variant === "filled") {
    const background = filledBackground(shades);
    return { ...colors, background, hover: darken(background, 0.1), color: "var(--mantine-color-white)" };
  }
  const text = darken(shades[9], 0.25);
  return { ...colors, color: text, hoverColor: text };
};

export const theme = createTheme({
  fontFamily,
  headings: { fontFamily, fontWeight: "700" },
  primaryColor: "indigo",
  // Darker shades than the defaults keep white text on primary buttons at WCAG AA contrast.
  primaryShade: { light: PRIMARY_SHADE, dark: 5 },
  defaultRadius: "sm",
  variantColorResolver,
  components: {
    Table: { defaultProps: { fz: "sm" } },
    // A modal's header is a <header>, which reads as a second banner landmark beside the
    // page's own (axe: landmark-no-duplicate-banner); inside a dialog it is no landmark.
    Modal: { defaultProps: { attributes: { header: { role: "presentation" } } } },
  },
});

/**
 * Dimmed text one shade darker than Mantine's default, and field errors in a darker red, for AA
 * contrast on white and gray-0.
 */
export const cssVariablesResolver = () => ({
  variables: {},
  light: { "--mantine-color-dimmed": "var(--mantine-color-gray-7)", "--mantine-color-error": "var(--mantine-color-red-8)" },
  dark: {},
});
