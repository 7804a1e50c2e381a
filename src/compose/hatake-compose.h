/* hatake-compose.h: the compose file parser
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-compose-project.h"
#include "hatake-compose-service.h"
