import { createTheme, darken, defaultVariantColorsResolver, parseThemeColor, type VariantColorsResolver } from "@mantine/core";

const fontFamily =
  "'Pretendard Variable', Pretendard, -apple-system, BlinkMacSystemFont, system-ui, 'Noto Sans KR', 'Noto Sans CJK KR', sans-serif";

// Mantine's light and subtle variants put shade 6 text on a pale background, which falls short
// of WCAG AA contrast for small text; a darkened shade 9 keeps the look and passes.
const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  if (input.variant !== "light" && input.variant !== "subtle") return colors;
  const parsed = parseThemeColor({ color: input.color || input.theme.primaryColor, theme: input.theme });
  if (!parsed.isThemeColor || parsed.shade !== undefined) return colors;
  const text = darken(input.theme.colors[parsed.color][9], 0.25);
  return { ...colors, color: text, hoverColor: text };
};

export const theme = createTheme({
  fontFamily,
  headings: { fontFamily, fontWeight: "700" },
  primaryColor: "indigo",
  // Darker shades than the defaults keep white text on primary buttons at WCAG AA contrast.
  primaryShade: { light: 7, dark: 5 },
  defaultRadius: "sm",
  variantColorResolver,
  components: {
    Table: { defaultProps: { fz: "sm" } },
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
