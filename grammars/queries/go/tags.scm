; Rover definitions and references for Go.
; See grammars/queries/python/tags.scm for the capture names.

(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface

; embedded fields and embedded interfaces are Go's "bases"
(type_spec type: (struct_type (field_declaration_list
  (field_declaration !name type: [(type_identifier) (qualified_type) (pointer_type) (generic_type)] @base)))) @bases.of
(type_spec type: (interface_type (type_elem [(type_identifier) (qualified_type)] @base))) @bases.of

(function_declaration name: (identifier) @name) @definition.function

; `func (s *Server) Start()` is a method of Server wherever Server is declared
(method_declaration
  receiver: (parameter_list (parameter_declaration type: [
    (type_identifier) @owner
    (pointer_type (type_identifier) @owner)
    (generic_type type: (type_identifier) @owner)
    (pointer_type (generic_type type: (type_identifier) @owner))
  ]))
  name: (field_identifier) @name) @definition.method

(method_elem name: (field_identifier) @name) @definition.method

(call_expression function: [
  (identifier) @call.name
  (selector_expression field: (field_identifier) @call.name)
  (generic_type type: (type_identifier) @call.name)
])
