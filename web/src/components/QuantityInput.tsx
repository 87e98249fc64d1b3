import { TextInput, type TextInputProps } from "@mantine/core";

interface QuantityInputProps extends Omit<TextInputProps, "value" | "onChange"> {
  value: string;
  onChange: (value: string) => void;
}

/** A decimal typed as text: never parsed into a float, so 0.1 + 0.2 stays exact. */
export function QuantityInput({ value, onChange, ...props }: QuantityInputProps) {
  return (
    <TextInput
      inputMode="decimal"
      autoComplete="off"
      value={value}
      onChange={(event) => onChange(event.currentTarget.value.replace(",", ".").replace(/\s/g, ""))}
      styles={{ input: { textAlign: "right", fontVariantNumeric: "tabular-nums" } }}
      {...props}
    />
  );
}
