// Generated from the server's OpenAPI document by `npm run generate` (web/scripts/generate-client.mjs).
// Never edit by hand: `make test` fails when this file differs from what the server produces.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Healthz
         * @description 200 when the database answers, 503 otherwise.
         */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/livez": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Livez
         * @description The process runs; never touches the database.
         */
        get: operations["livez"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readyz
         * @description Like /healthz, but also 503 while the schema is not the one this code expects.
         */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Login */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Refresh */
        post: operations["refresh_token"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Logout */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Me */
        get: operations["get_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/engines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Engines */
        get: operations["list_engines"];
        put?: never;
        /** Create Engine */
        post: operations["create_engine"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/engines/{engine_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Engine */
        get: operations["get_engine"];
        put?: never;
        post?: never;
        /** Delete Engine */
        delete: operations["delete_engine"];
        options?: never;
        head?: never;
        /** Update Engine */
        patch: operations["update_engine"];
        trace?: never;
    };
    "/api/v1/warehouses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Warehouses */
        get: operations["list_warehouses"];
        put?: never;
        /** Create Warehouse */
        post: operations["create_warehouse"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/warehouses/{warehouse_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Warehouse */
        get: operations["get_warehouse"];
        put?: never;
        post?: never;
        /** Delete Warehouse */
        delete: operations["delete_warehouse"];
        options?: never;
        head?: never;
        /** Update Warehouse */
        patch: operations["update_warehouse"];
        trace?: never;
    };
    "/api/v1/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Items */
        get: operations["list_items"];
        put?: never;
        /** Create Item */
        post: operations["create_item"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/items/{item_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Item */
        get: operations["get_item"];
        put?: never;
        post?: never;
        /** Delete Item */
        delete: operations["delete_item"];
        options?: never;
        head?: never;
        /** Update Item */
        patch: operations["update_item"];
        trace?: never;
    };
    "/api/v1/stocks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Stocks */
        get: operations["list_stocks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stocks/as-of": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Stock As Of */
        get: operations["stock_as_of"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stocks/{item_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Item Stock */
        get: operations["get_item_stock"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stock-moves": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Stock Moves */
        get: operations["list_stock_moves"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stock-adjustments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Stock Adjustments */
        get: operations["list_stock_adjustments"];
        put?: never;
        /** Create Stock Adjustment */
        post: operations["create_stock_adjustment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stock-adjustments/{adjustment_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Stock Adjustment */
        get: operations["get_stock_adjustment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/transfers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Transfers */
        get: operations["list_transfers"];
        put?: never;
        /** Create Transfer */
        post: operations["create_transfer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/transfers/{transfer_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Transfer */
        get: operations["get_transfer"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/inbounds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Documents */
        get: operations["list_inbounds"];
        put?: never;
        /** Create Document */
        post: operations["create_inbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/inbounds/{document_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Document */
        get: operations["get_inbound"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Update Document */
        patch: operations["update_inbound"];
        trace?: never;
    };
    "/api/v1/inbounds/{document_id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a draft inbound */
        post: operations["approve_inbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/inbounds/{document_id}/commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Commit an approved inbound (moves stock) */
        post: operations["commit_inbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/inbounds/{document_id}/reopen": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send an approved inbound back to draft */
        post: operations["reopen_inbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/inbounds/{document_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel Document */
        post: operations["cancel_inbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/inbounds/{document_id}/reverse": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reverse Document */
        post: operations["reverse_inbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/outbounds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Documents */
        get: operations["list_outbounds"];
        put?: never;
        /** Create Document */
        post: operations["create_outbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/outbounds/{document_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Document */
        get: operations["get_outbound"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Update Document */
        patch: operations["update_outbound"];
        trace?: never;
    };
    "/api/v1/outbounds/{document_id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a draft outbound (reserves stock) */
        post: operations["approve_outbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/outbounds/{document_id}/commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Commit an approved outbound (moves stock) */
        post: operations["commit_outbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/outbounds/{document_id}/reopen": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send an approved outbound back to draft */
        post: operations["reopen_outbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/outbounds/{document_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel Document */
        post: operations["cancel_outbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/outbounds/{document_id}/reverse": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reverse Document */
        post: operations["reverse_outbound"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/flows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Flows */
        get: operations["list_flows"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** AdjustmentCreate */
        AdjustmentCreate: {
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id: string;
            /** Reason */
            reason: string;
            /** Lines */
            lines: components["schemas"]["AdjustmentLineIn"][];
        };
        /** AdjustmentLineIn */
        AdjustmentLineIn: {
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /** Counted Quantity */
            counted_quantity: number | string;
        };
        /** AdjustmentLineRead */
        AdjustmentLineRead: {
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /** Sku */
            sku: string;
            /** Item Name */
            item_name: string;
            /** Counted Quantity */
            counted_quantity: number;
            /** Previous Quantity */
            previous_quantity: number;
            /** Difference */
            difference: number;
        };
        /** AdjustmentRead */
        AdjustmentRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Number */
            number: string;
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id: string;
            /** Reason */
            reason: string;
            /** Created By */
            created_by: string | null;
            /** Created At */
            created_at: string;
            /** Lines */
            lines: components["schemas"]["AdjustmentLineRead"][];
        };
        /** CancelBody */
        CancelBody: {
            /** Reason */
            reason?: string | null;
        };
        /** DocumentCreate */
        DocumentCreate: {
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id: string;
            /** Partner */
            partner?: string | null;
            /** Reference */
            reference?: string | null;
            /** Memo */
            memo?: string | null;
            /** Expected At */
            expected_at?: string | null;
            /** Lines */
            lines: components["schemas"]["DocumentLineIn"][];
        };
        /** DocumentLineIn */
        DocumentLineIn: {
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /** Quantity */
            quantity: number | string;
            /** Unit Cost */
            unit_cost?: number | string | null;
        };
        /** DocumentLineRead */
        DocumentLineRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /** Sku */
            sku: string;
            /** Item Name */
            item_name: string;
            /** Quantity */
            quantity: number;
            /** Unit Cost */
            unit_cost: number | null;
        };
        /** DocumentRead */
        DocumentRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Number */
            number: string;
            status: components["schemas"]["DocumentStatus"];
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id: string;
            /** Partner */
            partner: string | null;
            /** Reference */
            reference: string | null;
            /** Memo */
            memo: string | null;
            /** Expected At */
            expected_at: string | null;
            /** Line Count */
            line_count: number;
            /** Total Quantity */
            total_quantity: number;
            /** Created By */
            created_by: string | null;
            /** Created At */
            created_at: string;
            /** Approved By */
            approved_by: string | null;
            /** Approved At */
            approved_at: string | null;
            /** Committed By */
            committed_by: string | null;
            /** Committed At */
            committed_at: string | null;
            /** Cancelled By */
            cancelled_by: string | null;
            /** Cancelled At */
            cancelled_at: string | null;
            /** Cancel Reason */
            cancel_reason: string | null;
            /** Reverses Id */
            reverses_id: string | null;
            /** Reversed By Id */
            reversed_by_id: string | null;
            /** Updated At */
            updated_at: string;
            /** Version */
            version: number;
            /** Allowed Actions */
            allowed_actions: string[];
            /** Lines */
            lines: components["schemas"]["DocumentLineRead"][];
            /** History */
            history: components["schemas"]["FlowRead"][];
        };
        /**
         * DocumentStatus
         * @enum {string}
         */
        DocumentStatus: "draft" | "approved" | "committed" | "cancelled";
        /** DocumentSummary */
        DocumentSummary: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Number */
            number: string;
            status: components["schemas"]["DocumentStatus"];
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id: string;
            /** Partner */
            partner: string | null;
            /** Reference */
            reference: string | null;
            /** Memo */
            memo: string | null;
            /** Expected At */
            expected_at: string | null;
            /** Line Count */
            line_count: number;
            /** Total Quantity */
            total_quantity: number;
            /** Created By */
            created_by: string | null;
            /** Created At */
            created_at: string;
            /** Approved By */
            approved_by: string | null;
            /** Approved At */
            approved_at: string | null;
            /** Committed By */
            committed_by: string | null;
            /** Committed At */
            committed_at: string | null;
            /** Cancelled By */
            cancelled_by: string | null;
            /** Cancelled At */
            cancelled_at: string | null;
            /** Cancel Reason */
            cancel_reason: string | null;
            /** Reverses Id */
            reverses_id: string | null;
            /** Reversed By Id */
            reversed_by_id: string | null;
            /** Updated At */
            updated_at: string;
            /** Version */
            version: number;
            /** Allowed Actions */
            allowed_actions: string[];
        };
        /** DocumentUpdate */
        DocumentUpdate: {
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id?: string;
            /** Partner */
            partner?: string | null;
            /** Reference */
            reference?: string | null;
            /** Memo */
            memo?: string | null;
            /** Expected At */
            expected_at?: string | null;
            /** Lines */
            lines?: components["schemas"]["DocumentLineIn"][];
        };
        /** EngineCreate */
        EngineCreate: {
            /**
             * Code
             * @description 1-32 of A-Z 0-9 _ -, stored upper-case
             */
            code: string;
            /** Name */
            name: string;
            /** Description */
            description?: string | null;
            /** @default active */
            status: components["schemas"]["EngineStatus"];
        };
        /** EngineRead */
        EngineRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Code */
            code: string;
            /** Name */
            name: string;
            /** Description */
            description: string | null;
            status: components["schemas"]["EngineStatus"];
            /** Item Count */
            item_count: number;
            /** Created At */
            created_at: string;
            /** Updated At */
            updated_at: string;
            /** Version */
            version: number;
        };
        /**
         * EngineStatus
         * @enum {string}
         */
        EngineStatus: "active" | "inactive";
        /** EngineUpdate */
        EngineUpdate: {
            /** Code */
            code?: string;
            /** Name */
            name?: string;
            /** Description */
            description?: string | null;
            status?: components["schemas"]["EngineStatus"];
        };
        /** FlowRead */
        FlowRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Entity Type */
            entity_type: string;
            /**
             * Entity Id
             * Format: uuid
             */
            entity_id: string;
            /** Entity Number */
            entity_number: string | null;
            /** Action */
            action: string;
            /** From Status */
            from_status: string | null;
            /** To Status */
            to_status: string | null;
            /** Actor Id */
            actor_id: string | null;
            /** Actor Name */
            actor_name: string | null;
            /** Note */
            note: string | null;
            /** Created At */
            created_at: string;
        };
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** ItemCreate */
        ItemCreate: {
            /** Sku */
            sku: string;
            /** Name */
            name: string;
            /** Engine Id */
            engine_id?: string | null;
            /**
             * Unit
             * @default EA
             */
            unit: string;
            /** Barcode */
            barcode?: string | null;
            /**
             * Unit Cost
             * @default 0
             */
            unit_cost: number | string;
            /**
             * Reorder Point
             * @default 0
             */
            reorder_point: number | string;
            /**
             * Active
             * @default true
             */
            active: boolean;
        };
        /** ItemRead */
        ItemRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Sku */
            sku: string;
            /** Name */
            name: string;
            /** Engine Id */
            engine_id: string | null;
            /** Unit */
            unit: string;
            /** Barcode */
            barcode: string | null;
            /** Unit Cost */
            unit_cost: number;
            /** Reorder Point */
            reorder_point: number;
            /** Active */
            active: boolean;
            /** On Hand */
            on_hand: number;
            /** Reserved */
            reserved: number;
            /** Available */
            available: number;
            /** Low Stock */
            low_stock: boolean;
            /** Created At */
            created_at: string;
            /** Updated At */
            updated_at: string;
            /** Version */
            version: number;
        };
        /** ItemStock */
        ItemStock: {
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /** Sku */
            sku: string;
            /** On Hand */
            on_hand: number;
            /** Reserved */
            reserved: number;
            /** Available */
            available: number;
            /** Warehouses */
            warehouses: components["schemas"]["WarehouseStock"][];
        };
        /** ItemUpdate */
        ItemUpdate: {
            /** Sku */
            sku?: string;
            /** Name */
            name?: string;
            /** Engine Id */
            engine_id?: string | null;
            /** Unit */
            unit?: string;
            /** Barcode */
            barcode?: string | null;
            /** Unit Cost */
            unit_cost?: number | string;
            /** Reorder Point */
            reorder_point?: number | string;
            /** Active */
            active?: boolean;
        };
        /**
         * MoveReason
         * @enum {string}
         */
        MoveReason: "inbound" | "outbound" | "adjustment" | "transfer";
        /** Page[AdjustmentRead] */
        Page_AdjustmentRead_: {
            /** Data */
            data: components["schemas"]["AdjustmentRead"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** Page[DocumentSummary] */
        Page_DocumentSummary_: {
            /** Data */
            data: components["schemas"]["DocumentSummary"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** Page[EngineRead] */
        Page_EngineRead_: {
            /** Data */
            data: components["schemas"]["EngineRead"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** Page[FlowRead] */
        Page_FlowRead_: {
            /** Data */
            data: components["schemas"]["FlowRead"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** Page[ItemRead] */
        Page_ItemRead_: {
            /** Data */
            data: components["schemas"]["ItemRead"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** Page[StockAsOfRow] */
        Page_StockAsOfRow_: {
            /** Data */
            data: components["schemas"]["StockAsOfRow"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** Page[StockMoveRead] */
        Page_StockMoveRead_: {
            /** Data */
            data: components["schemas"]["StockMoveRead"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** Page[StockRow] */
        Page_StockRow_: {
            /** Data */
            data: components["schemas"]["StockRow"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** Page[TransferRead] */
        Page_TransferRead_: {
            /** Data */
            data: components["schemas"]["TransferRead"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** Page[WarehouseRead] */
        Page_WarehouseRead_: {
            /** Data */
            data: components["schemas"]["WarehouseRead"][];
            /** Count */
            count: number;
            /** Page */
            page: number;
            /** Limit */
            limit: number;
        };
        /** RefreshBody */
        RefreshBody: {
            /** Refresh Token */
            refresh_token: string;
        };
        /** ReverseBody */
        ReverseBody: {
            /** Reason */
            reason: string;
        };
        /**
         * Role
         * @enum {string}
         */
        Role: "viewer" | "staff" | "manager" | "admin";
        /** StockAsOfRow */
        StockAsOfRow: {
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /** Sku */
            sku: string;
            /** Item Name */
            item_name: string;
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id: string;
            /** Warehouse Code */
            warehouse_code: string;
            /** On Hand */
            on_hand: number;
        };
        /** StockMoveRead */
        StockMoveRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id: string;
            /** Quantity */
            quantity: number;
            /** Balance After */
            balance_after: number;
            reason: components["schemas"]["MoveReason"];
            /** Document Type */
            document_type: string;
            /**
             * Document Id
             * Format: uuid
             */
            document_id: string;
            /** Document Number */
            document_number: string;
            /** Actor Id */
            actor_id: string | null;
            /** Created At */
            created_at: string;
        };
        /** StockRow */
        StockRow: {
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /** Sku */
            sku: string;
            /** Item Name */
            item_name: string;
            /** Engine Id */
            engine_id: string | null;
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id: string;
            /** Warehouse Code */
            warehouse_code: string;
            /** On Hand */
            on_hand: number;
            /** Reserved */
            reserved: number;
            /** Available */
            available: number;
            /** Reorder Point */
            reorder_point: number;
            /** Low Stock */
            low_stock: boolean;
            /** Updated At */
            updated_at: string;
        };
        /** TokenResponse */
        TokenResponse: {
            /** Access Token */
            access_token: string;
            /**
             * Token Type
             * @default bearer
             */
            token_type: string;
            /** Expires In */
            expires_in: number;
            /** Refresh Token */
            refresh_token: string;
        };
        /** TransferCreate */
        TransferCreate: {
            /**
             * From Warehouse Id
             * Format: uuid
             */
            from_warehouse_id: string;
            /**
             * To Warehouse Id
             * Format: uuid
             */
            to_warehouse_id: string;
            /** Memo */
            memo?: string | null;
            /** Lines */
            lines: components["schemas"]["TransferLineIn"][];
        };
        /** TransferLineIn */
        TransferLineIn: {
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /** Quantity */
            quantity: number | string;
        };
        /** TransferLineRead */
        TransferLineRead: {
            /**
             * Item Id
             * Format: uuid
             */
            item_id: string;
            /** Sku */
            sku: string;
            /** Item Name */
            item_name: string;
            /** Quantity */
            quantity: number;
        };
        /** TransferRead */
        TransferRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Number */
            number: string;
            /**
             * From Warehouse Id
             * Format: uuid
             */
            from_warehouse_id: string;
            /**
             * To Warehouse Id
             * Format: uuid
             */
            to_warehouse_id: string;
            /** Memo */
            memo: string | null;
            /** Created By */
            created_by: string | null;
            /** Created At */
            created_at: string;
            /** Lines */
            lines: components["schemas"]["TransferLineRead"][];
        };
        /** UserRead */
        UserRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Email */
            email: string;
            /** Name */
            name: string;
            role: components["schemas"]["Role"];
            /** Active */
            active: boolean;
            /** Created At */
            created_at: string;
            /** Last Login At */
            last_login_at: string | null;
            /** Version */
            version: number;
        };
        /** ValidationError */
        ValidationError: {
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
            /** Input */
            input?: unknown;
            /** Context */
            ctx?: Record<string, never>;
        };
        /** WarehouseCreate */
        WarehouseCreate: {
            /**
             * Code
             * @description 1-32 of A-Z 0-9 _ -, stored upper-case
             */
            code: string;
            /** Name */
            name: string;
            /** Address */
            address?: string | null;
            /**
             * Active
             * @default true
             */
            active: boolean;
        };
        /** WarehouseRead */
        WarehouseRead: {
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Code */
            code: string;
            /** Name */
            name: string;
            /** Address */
            address: string | null;
            /** Active */
            active: boolean;
            /** Created At */
            created_at: string;
            /** Updated At */
            updated_at: string;
            /** Version */
            version: number;
        };
        /** WarehouseStock */
        WarehouseStock: {
            /**
             * Warehouse Id
             * Format: uuid
             */
            warehouse_id: string;
            /** Warehouse Code */
            warehouse_code: string;
            /** On Hand */
            on_hand: number;
            /** Reserved */
            reserved: number;
            /** Available */
            available: number;
            /** Updated At */
            updated_at: string;
        };
        /** WarehouseUpdate */
        WarehouseUpdate: {
            /** Code */
            code?: string;
            /** Name */
            name?: string;
            /** Address */
            address?: string | null;
            /** Active */
            active?: boolean;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    livez: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Email */
                    email: string;
                    /** Password */
                    password: string;
                };
                "application/x-www-form-urlencoded": {
                    /** @description the email */
                    username: string;
                    password: string;
                    grant_type?: string;
                    scope?: string;
                };
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"];
                };
            };
        };
    };
    refresh_token: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshBody"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshBody"];
            };
        };
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserRead"];
                };
            };
        };
    };
    list_engines: {
        parameters: {
            query?: {
                q?: string | null;
                status?: components["schemas"]["EngineStatus"] | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_EngineRead_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_engine: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EngineCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EngineRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_engine: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                engine_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EngineRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_engine: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                engine_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    update_engine: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                engine_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EngineUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EngineRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_warehouses: {
        parameters: {
            query?: {
                q?: string | null;
                active?: boolean | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_WarehouseRead_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_warehouse: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WarehouseCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WarehouseRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_warehouse: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                warehouse_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WarehouseRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_warehouse: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                warehouse_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    update_warehouse: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                warehouse_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WarehouseUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WarehouseRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_items: {
        parameters: {
            query?: {
                /** @description matches sku, name or barcode */
                q?: string | null;
                engine_id?: string | null;
                active?: boolean | null;
                low_stock?: boolean | null;
                barcode?: string | null;
                sku?: string | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_ItemRead_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_item: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ItemCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_item: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                item_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_item: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                item_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    update_item: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                item_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ItemUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_stocks: {
        parameters: {
            query?: {
                item_id?: string | null;
                warehouse_id?: string | null;
                engine_id?: string | null;
                low_stock?: boolean | null;
                q?: string | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_StockRow_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    stock_as_of: {
        parameters: {
            query: {
                /** @description the past instant (ISO 8601) */
                at: string;
                item_id?: string | null;
                warehouse_id?: string | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_StockAsOfRow_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_item_stock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                item_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemStock"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_stock_moves: {
        parameters: {
            query?: {
                item_id?: string | null;
                warehouse_id?: string | null;
                reason?: components["schemas"]["MoveReason"] | null;
                document_id?: string | null;
                /** @description created at or after (ISO 8601) */
                from?: string | null;
                /** @description created at or before (ISO 8601) */
                to?: string | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_StockMoveRead_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_stock_adjustments: {
        parameters: {
            query?: {
                warehouse_id?: string | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_AdjustmentRead_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_stock_adjustment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AdjustmentCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdjustmentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_stock_adjustment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                adjustment_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdjustmentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_transfers: {
        parameters: {
            query?: {
                warehouse_id?: string | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_TransferRead_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_transfer: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TransferCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_transfer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                transfer_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_inbounds: {
        parameters: {
            query?: {
                status?: components["schemas"]["DocumentStatus"] | null;
                warehouse_id?: string | null;
                item_id?: string | null;
                /** @description matches number, partner or reference */
                q?: string | null;
                from?: string | null;
                to?: string | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_DocumentSummary_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_inbound: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DocumentCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_inbound: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    update_inbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DocumentUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    approve_inbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    commit_inbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    reopen_inbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    cancel_inbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CancelBody"] | null;
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    reverse_inbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReverseBody"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_outbounds: {
        parameters: {
            query?: {
                status?: components["schemas"]["DocumentStatus"] | null;
                warehouse_id?: string | null;
                item_id?: string | null;
                /** @description matches number, partner or reference */
                q?: string | null;
                from?: string | null;
                to?: string | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_DocumentSummary_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_outbound: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DocumentCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_outbound: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    update_outbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DocumentUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    approve_outbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    commit_outbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    reopen_outbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    cancel_outbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CancelBody"] | null;
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    reverse_outbound: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                document_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReverseBody"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_flows: {
        parameters: {
            query?: {
                entity_type?: ("engine" | "item" | "warehouse" | "inbound" | "outbound" | "adjustment" | "transfer") | null;
                entity_id?: string | null;
                action?: ("created" | "updated" | "approved" | "committed" | "cancelled" | "adjusted" | "transferred" | "deleted") | null;
                from?: string | null;
                to?: string | null;
                /** @description 1-based page number */
                page?: number;
                /** @description rows per page (1-200) */
                limit?: number;
                /** @description field name, `-` prefix for descending */
                sort?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_FlowRead_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
}
