import { Anchor, type AnchorProps } from "@mantine/core";
import { Link } from "react-router";

/** An item's SKU as a link to its page, never broken across lines. */
export function ItemLink({ id, sku, ...props }: { id: string; sku: string } & AnchorProps) {
  return (
    <Anchor component={Link} to={`/items/${id}`} style={{ whiteSpace: "nowrap" }} {...props}>
      {sku}
    </Anchor>
  );
}
