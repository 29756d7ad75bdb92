#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU; its headers would pull ICU's C types into Swift, where
   they clash with Foundation's own copy of ICU. pciplan never touches the ICU converters
   (it only accepts UTF-8), and the structs it reads hold them by pointer only. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>
